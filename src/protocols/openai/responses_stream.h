// ResponsesStreamTranslator: turns Gemini `alt=sse` chunks into the Responses API's stream
// (named SSE events, each with a sequence_number): response.created, response.in_progress, then
// per output item output_item.added … output_item.done (message: content_part and output_text
// events; function_call: function_call_arguments events; reasoning: reasoning_summary events),
// and response.completed, response.incomplete or response.failed. It also keeps the Response
// object, so the whole-answer translation is the same machine with its events switched off.
// Not thread-safe: one per stream.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "protocols/gemini/generate_response.h"
#include "protocols/id_mint.h"
#include "protocols/openai/chat_response.h"
#include "protocols/openai/responses_request.h"
#include "protocols/sse_parser.h"

namespace poise::protocols {

class ResponsesStreamTranslator {
 public:
  // `stamp.id` is the response id ("resp_…"), `stamp.created` its created_at. With `events`
  // false nothing is written (the whole-answer translation).
  ResponsesStreamTranslator(ResponsesContext context, ResponseStamp stamp, IdMint ids,
                            bool events = true);

  // One upstream SSE event's data. Returns the SSE text to send, possibly empty. An in-band
  // upstream {"error":…} gives an "upstream_error" Error (status via lastUpstreamStatus());
  // unparsable data "upstream_invalid_response". After an Error the caller sends error(…).
  Result<std::string> feed(std::string_view event_data);
  // The same for a chunk already read.
  std::string feedResponse(const GenerateResponse& chunk);

  // The upstream ended: the open item is closed, then response.completed (or
  // response.incomplete when Gemini stopped at the token limit or a filter). Idempotent.
  std::string finish();

  // A failure mid-stream: response.failed with the error; no completion follows.
  // `status` 429 gives the code "rate_limit_exceeded", anything else "server_error".
  std::string error(std::string_view message, unsigned status = 502);

  unsigned lastUpstreamStatus() const { return upstream_status_; }

  // Gemini ended the answer (a finish reason, or a blocked prompt). A stream that ends cleanly
  // without it was truncated: the relay sends error(…) (response.failed) instead of finish().
  bool ended() const { return !finish_reason_.empty() || !block_reason_.empty(); }

  // The bytes that keep a silent stream alive: an SSE comment line, ignored by SSE clients.
  static std::string keepAlive() { return std::string(kSseKeepAlive); }

  // Truncated Responses streams are not continued (stream_continue_on_truncation covers the chat
  // and Messages routes): the client gets response.failed.
  static std::optional<std::string> continuation() { return std::nullopt; }

  // The Response object; complete after finish() or error().
  const boost::json::object& response() const { return response_; }

 private:
  enum class Open { kNone, kMessage, kReasoning };

  void start(std::string& out);
  void emit(std::string& out, std::string_view type, boost::json::object payload);
  boost::json::object itemEvent(boost::json::object payload) const;
  void openItem(std::string& out, Open kind);
  void closeItem(std::string& out, std::string_view status);
  void addText(std::string& out, Open kind, std::string_view text);
  void addFunctionCall(std::string& out, const GeminiPart& call);
  std::int64_t outputIndex() const;
  std::string lifecycle(std::string_view type);

  ResponsesContext context_;
  ResponseStamp stamp_;
  IdMint ids_;
  bool events_ = true;
  boost::json::object response_;
  boost::json::array output_;  // finished items
  std::int64_t sequence_ = 0;
  bool started_ = false;
  bool done_ = false;
  Open open_ = Open::kNone;
  std::string open_id_;
  std::string open_text_;
  std::string finish_reason_;
  std::string block_reason_;
  GeminiUsage usage_;
  unsigned upstream_status_ = 500;
};

// A whole Gemini generateContent answer as a Response object (the first candidate). `gemini`
// carrying {"error":…} gives an "upstream_error" Error; a body that is not a response
// "upstream_invalid_response".
Result<boost::json::object> translateResponsesResponse(const boost::json::value& gemini,
                                                       const ResponsesContext& context,
                                                       const ResponseStamp& stamp, IdMint ids);

}  // namespace poise::protocols
