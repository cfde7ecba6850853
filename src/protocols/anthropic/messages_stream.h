// MessagesStreamTranslator: turns Gemini `alt=sse` chunks into Anthropic's streaming event
// sequence (message_start, ping, content blocks, message_delta, message_stop; error events).
// The first candidate is used. Not thread-safe: one per stream.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "protocols/anthropic/messages_request.h"
#include "protocols/gemini/generate_response.h"
#include "protocols/id_mint.h"

namespace poise::protocols {

// Events are "event: <type>\ndata: <json>\n\n": message_start and a ping, then per content block
// content_block_start / content_block_delta / content_block_stop (text_delta; thinking_delta and
// signature_delta when thinking was enabled; a tool_use block with one input_json_delta), then
// message_delta with stop_reason and usage, and message_stop.
class MessagesStreamTranslator {
 public:
  // `message_id` is e.g. IdMint::next("msg_").
  MessagesStreamTranslator(MessagesResponseContext context, std::string message_id, IdMint ids);

  // One upstream SSE event's data. Returns the events to send (message_start and a ping come
  // with the first one). An in-band upstream {"error":…} gives an "upstream_error" Error (status
  // via lastUpstreamStatus()), unparsable data "upstream_invalid_response"; the caller then
  // sends error(…) and stops.
  Result<std::string> feed(std::string_view event_data);

  // The upstream ended normally: closes the open block, then message_delta and message_stop.
  // Idempotent.
  std::string finish();

  // A keep-alive `ping` event, for the proxy to send while the model is silent for long.
  static std::string ping();
  static std::string keepAlive() { return ping(); }

  // A finish reason came, or the prompt was blocked: the upstream ended the answer. A stream
  // that ends cleanly without it was truncated.
  bool ended() const { return !finish_reason_.empty() || prompt_blocked_; }

  // A mid-stream failure: one `event: error` with Anthropic's envelope; `status` picks the type
  // (e.g. 529/503 overloaded_error, 500 api_error).
  std::string error(std::string_view message, unsigned status = 502);

  // HTTP status of the last in-band upstream error (500 when it named none).
  unsigned lastUpstreamStatus() const { return upstream_status_; }

 private:
  enum class Block { kNone, kText, kThinking, kToolUse };

  void start(std::string& out);
  void openBlock(std::string& out, Block kind, boost::json::object content_block);
  void closeBlock(std::string& out);
  void delta(std::string& out, boost::json::object delta);

  MessagesResponseContext context_;
  std::string message_id_;
  IdMint ids_;
  GeminiUsage usage_;
  std::string finish_reason_;
  std::string pending_signature_;  // signature seen on the open thinking block's parts
  Block block_ = Block::kNone;
  int block_index_ = -1;
  bool started_ = false;
  bool has_tool_use_ = false;
  bool prompt_blocked_ = false;
  bool done_ = false;
  unsigned upstream_status_ = 500;
};

}  // namespace poise::protocols
