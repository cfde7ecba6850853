// Token usage of a Gemini answer (its usageMetadata), read from a parsed answer or picked out of
// the raw bytes as they go by (UsageScanner), for answers the gateway passes through without
// parsing. Pure; UsageScanner is a value type owned by one request.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace poise::protocols {

struct GeminiUsage {
  bool present = false;
  std::int64_t prompt = 0;           // promptTokenCount
  std::int64_t candidates = 0;       // candidatesTokenCount
  std::int64_t thoughts = 0;         // thoughtsTokenCount
  std::int64_t cached = 0;           // cachedContentTokenCount
  std::int64_t tool_use_prompt = 0;  // toolUsePromptTokenCount
  std::int64_t total = 0;            // totalTokenCount (the sum of the others when absent)
};

// The counts of a usageMetadata object (absent or malformed counts are 0).
GeminiUsage readUsage(const boost::json::object& usage_metadata);

// Finds the last complete `"usageMetadata": {…}` in a Gemini answer fed to it in pieces split
// anywhere (a whole body, or an SSE stream's reads), without parsing the rest: a streamed answer
// repeats the running totals in its events, and the last one counts. Only that object is kept
// and parsed, at the end.
class UsageScanner {
 public:
  void feed(std::string_view bytes);
  // The last complete usage seen (present is false when there was none).
  GeminiUsage usage() const;

 private:
  // Looks for the key in `text`; from there on everything is captured until its object closes.
  void scan(std::string_view text);
  // Takes complete objects out of the capture, and scans what follows them.
  void settle();

  std::string capture_;  // from the key's first byte, while its object is still open
  std::string tail_;     // the last bytes of the input, for a key split between two pieces
  std::string last_;     // the last complete object's text, from its '{'
};

}  // namespace poise::protocols
