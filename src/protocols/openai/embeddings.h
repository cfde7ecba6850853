// OpenAI /v1/embeddings ⇄ Gemini :batchEmbedContents (wire-format.md §4, §7.6, §8.7), in
// batches of at most kMaxEmbedBatch inputs, one upstream call each. Usage is an estimate (see
// EmbeddingsContext). Pure functions; thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "protocols/model_name.h"

namespace poise::protocols {

inline constexpr std::size_t kMaxEmbedBatch = 100;
// OpenAI's own limit on inputs per request.
inline constexpr std::size_t kMaxEmbedInputs = 2048;

struct EmbeddingsRequestOptions {
  const ModelAliases* model_aliases = nullptr;  // may be null; must outlive the call
  // Used when the client names a model that is neither an alias nor a Gemini embedding model
  // (e.g. "text-embedding-3-small").
  std::string default_model = "gemini-embedding-001";
};

// Gemini reports no token usage for embeddings, so estimated_tokens is computed from the input
// text: ceil(UTF-8 bytes / 4) per input, the usual rule of thumb for English.
struct EmbeddingsContext {
  std::string client_model;
  bool base64 = false;  // encoding_format "base64": float32 little-endian
  std::size_t input_count = 0;
  std::int64_t estimated_tokens = 0;
};

struct EmbeddingsTranslation {
  std::string model;  // bare Gemini model id
  // One :batchEmbedContents body per upstream call, in input order.
  std::vector<boost::json::object> requests;
  EmbeddingsContext context;
};

Result<EmbeddingsTranslation> translateEmbeddingsRequest(const boost::json::value& body,
                                                         const EmbeddingsRequestOptions& options);

// `responses` are the upstream bodies, one per request above and in the same order. A count
// mismatch or a malformed body is "upstream_invalid_response"; an error body "upstream_error".
Result<boost::json::object> translateEmbeddingsResponse(
    std::span<const boost::json::value> responses, const EmbeddingsContext& context);

}  // namespace poise::protocols
