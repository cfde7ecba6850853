// ChatStreamTranslator: turns Gemini `alt=sse` chunks into OpenAI chat.completion.chunk events
// (wire-format.md §7.3, §8.5), ending in `data: [DONE]` or in one error event.
// Not thread-safe: one per stream.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "core/result.h"
#include "protocols/gemini/generate_response.h"
#include "protocols/id_mint.h"
#include "protocols/openai/chat_request.h"
#include "protocols/openai/chat_response.h"

namespace poise::protocols {

// Feed each upstream event's data and write what comes back. The first chunk of each choice
// carries delta.role; tool-call deltas carry a stable index and an id; finish_reason arrives on
// the choice's last chunk ("tool_calls" when it made calls); with include_usage every chunk has
// "usage": null and a final chunk with empty choices carries the usage.
class ChatStreamTranslator {
 public:
  ChatStreamTranslator(ChatResponseContext context, ResponseStamp stamp, IdMint ids);

  // One upstream SSE event's data (a GenerateContentResponse JSON). Returns the SSE text to send
  // to the client, possibly empty. An in-band upstream {"error":…} gives an "upstream_error"
  // Error (message from upstream, status via lastUpstreamStatus()); unparsable data gives
  // "upstream_invalid_response". After an Error the caller sends error(…) and stops.
  Result<std::string> feed(std::string_view event_data);

  // The upstream ended normally: pending finish chunks (for choices whose finishReason never
  // came: "stop"), the usage chunk when include_usage, then `data: [DONE]`. Idempotent.
  std::string finish();

  // A mid-stream failure: one `data: {"error":{message,type,param,code}}` event. No [DONE]
  // follows, so no client mistakes the cut for a complete answer. `status` picks the type.
  std::string error(std::string_view message, unsigned status = 502,
                    std::string_view code = "upstream_error");

  // Some choice got a finish reason, or the prompt was blocked: the upstream ended the answer.
  // A stream that ends cleanly without it was truncated.
  bool ended() const;

  // The bytes that keep a silent stream alive: an SSE comment line.
  static std::string keepAlive();

  // HTTP status of the last in-band upstream error (500 when it named none).
  unsigned lastUpstreamStatus() const { return upstream_status_; }

 private:
  struct Choice {
    bool started = false;   // the role chunk was sent
    bool finished = false;  // the finish_reason chunk was sent
    int tool_calls = 0;     // calls so far (the next call's index)
    std::string finish_reason;
  };

  boost::json::object chunk(boost::json::array choices) const;
  void appendChunk(std::string& out, boost::json::array choices);
  boost::json::object choiceDelta(int index, boost::json::object delta,
                                  std::string_view finish_reason = {});
  void closeChoice(std::string& out, int index, Choice& choice);

  ChatResponseContext context_;
  ResponseStamp stamp_;
  IdMint ids_;
  std::string model_;  // modelVersion of the first chunk, else the client's model
  std::map<int, Choice> choices_;
  GeminiUsage usage_;
  std::string block_reason_;
  unsigned upstream_status_ = 500;
  bool done_ = false;
};

}  // namespace poise::protocols
