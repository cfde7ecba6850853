// SseParser: an incremental parser for text/event-stream bodies (the upstream's `alt=sse`).
// Byte chunks may split anywhere; lines may end in "\r\n", "\n" or "\r"; comments, `id:` and
// `retry:` are ignored; an event over the size limit is an error, never an unbounded buffer.
// Not thread-safe: one parser per stream.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace poise::protocols {

// The comment line that keeps a silent SSE stream alive; parsers ignore it by specification.
inline constexpr std::string_view kSseKeepAlive = ": keep-alive\n\n";

struct SseEvent {
  std::string event;  // the `event:` field; empty when the stream named none
  std::string data;   // the `data:` lines joined with "\n"

  bool operator==(const SseEvent&) const = default;
};

struct SseParserOptions {
  // Largest event (its data, event name and the line being read) in bytes.
  std::size_t max_event_bytes = std::size_t{16} * 1024 * 1024;
};

class SseParser {
 public:
  explicit SseParser(SseParserOptions options = {}) : options_(options) {}

  // Parses `bytes` and appends every event they complete to `out`. After an error the parser
  // stays failed and returns the same error.
  [[nodiscard]] Status feed(std::string_view bytes, std::vector<SseEvent>& out);

  // End of stream: a last event that lacked its blank line is still delivered (the SSE spec
  // would drop it; Gemini streams always end with one, so this only matters for cut streams).
  [[nodiscard]] Status finish(std::vector<SseEvent>& out);

 private:
  Status fail();
  Status consume(std::string_view bytes, std::vector<SseEvent>& out);
  void processLine(std::string_view line, std::vector<SseEvent>& out);
  void dispatch(std::vector<SseEvent>& out);
  std::size_t pendingBytes() const { return data_.size() + event_.size() + line_.size(); }

  SseParserOptions options_;
  std::string line_;   // the unterminated line carried over from the previous chunk
  std::string data_;   // data lines so far, each followed by '\n'
  std::string event_;  // the event name so far
  std::string bom_;    // leading bytes that may be a UTF-8 byte order mark
  bool has_data_ = false;
  bool after_cr_ = false;  // the last byte was '\r': a following '\n' belongs to it
  bool at_start_ = true;   // nothing consumed yet (a UTF-8 BOM may be skipped)
  bool failed_ = false;
};

}  // namespace poise::protocols
