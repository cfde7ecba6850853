// StreamEndScanner: tells, from the raw bytes of a Gemini stream fed in pieces split anywhere
// (SSE or JSON array), whether the answer ended honestly: some chunk carried a finishReason, or
// the prompt was blocked (promptFeedback.blockReason), or the upstream sent an in-band error. A
// stream that ended cleanly with none of these was truncated. Looks only for the JSON keys
// ("finishReason", "blockReason", "error" followed by ':'); inside a JSON string a quote is
// escaped, so a key can only be a key or a whole string value, which the ':' tells apart. Pure;
// a value type owned by one request.
#pragma once

#include <string>
#include <string_view>

namespace poise::protocols {

class StreamEndScanner {
 public:
  void feed(std::string_view bytes);
  // A finish reason, a block reason or an in-band error was seen.
  bool ended() const { return ended_; }

 private:
  void scan(std::string_view text, std::size_t from);

  std::string tail_;  // the last bytes of the input, for a key split between two pieces
  bool ended_ = false;
};

}  // namespace poise::protocols
