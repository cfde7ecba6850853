// SseParser on arbitrary bytes. The first byte picks a chunk size; the same input parsed in one
// piece and in chunks must give the same events and the same success.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "fuzz_checks.h"
#include "protocols/sse_parser.h"

using poise::protocols::SseEvent;
using poise::protocols::SseParser;

namespace {

bool parse(std::string_view input, std::size_t chunk, std::vector<SseEvent>& out) {
  SseParser parser({.max_event_bytes = 4096});
  for (std::size_t i = 0; i < input.size(); i += chunk) {
    if (!parser.feed(input.substr(i, chunk), out)) return false;
  }
  return parser.finish(out).has_value();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t chunk = 1 + data[0] % 17;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::vector<SseEvent> whole;
  std::vector<SseEvent> split;
  const bool ok_whole = parse(input, input.size() + 1, whole);
  const bool ok_split = parse(input, chunk, split);
  poise::fuzz::check(ok_whole == ok_split, "chunking changed whether parsing succeeds");
  if (ok_whole) poise::fuzz::check(whole == split, "chunking changed the events");
  return 0;
}
