// The fixed model catalogue the fake Gemini upstream serves from GET models and uses to decide
// which model supports which method. Immutable after static initialisation; thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace poise::fakes {

struct ModelInfo {
  std::string id;  // bare id, e.g. "gemini-2.5-flash"; the wire name is "models/" + id
  std::string version;
  std::string display_name;
  std::string description;
  int input_token_limit = 0;
  int output_token_limit = 0;
  std::vector<std::string> methods;  // supportedGenerationMethods, as Google lists them
  std::optional<double> temperature;
  std::optional<double> top_p;
  std::optional<int> top_k;
  std::optional<double> max_temperature;
  std::optional<bool> thinking;
  int embedding_dimensions = 0;  // default output size for embedding models, else 0
};

const std::vector<ModelInfo>& modelCatalogue();

// Looks up a bare model id; nullptr when the catalogue does not hold it.
const ModelInfo* findModel(std::string_view id);

// True when `method` (generateContent, streamGenerateContent, countTokens, embedContent,
// batchEmbedContents) may be called on the model. streamGenerateContent is never listed by
// Google but works wherever generateContent does.
bool supportsMethod(const ModelInfo& model, std::string_view method);

boost::json::object modelToJson(const ModelInfo& model);

}  // namespace poise::fakes
