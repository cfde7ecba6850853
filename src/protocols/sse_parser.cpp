#include "protocols/sse_parser.h"

namespace poise::protocols {

Status SseParser::fail() {
  failed_ = true;
  line_.clear();
  data_.clear();
  event_.clear();
  return Error{ErrorCode::SseEventTooLarge, "an upstream stream event is larger than " +
                                                std::to_string(options_.max_event_bytes) +
                                                " bytes"};
}

Status SseParser::feed(std::string_view bytes, std::vector<SseEvent>& out) {
  if (failed_) return fail();
  if (at_start_) {
    // Skip a UTF-8 byte order mark, which may itself arrive split across chunks.
    constexpr std::string_view kBom = "\xEF\xBB\xBF";
    std::size_t take = 0;
    while (bom_.size() < kBom.size() && take < bytes.size() && kBom[bom_.size()] == bytes[take]) {
      bom_ += bytes[take++];
    }
    bytes.remove_prefix(take);
    if (bom_.size() == kBom.size()) {
      at_start_ = false;
      bom_.clear();
    } else if (bytes.empty()) {
      return {};  // still a prefix of the mark: wait for more
    } else {
      at_start_ = false;
      const std::string replay = std::move(bom_);
      bom_.clear();
      if (auto st = consume(replay, out); !st) return st;
    }
  }
  return consume(bytes, out);
}

Status SseParser::consume(std::string_view bytes, std::vector<SseEvent>& out) {
  std::size_t pos = 0;
  if (after_cr_ && !bytes.empty()) {
    after_cr_ = false;
    if (bytes.front() == '\n') pos = 1;
  }
  while (pos < bytes.size()) {
    const std::size_t eol = bytes.find_first_of("\r\n", pos);
    const std::string_view piece =
        bytes.substr(pos, eol == std::string_view::npos ? bytes.npos : eol - pos);
    if (pendingBytes() + piece.size() > options_.max_event_bytes) return fail();
    if (eol == std::string_view::npos) {
      line_.append(piece);
      break;
    }
    if (line_.empty()) {
      processLine(piece, out);
    } else {
      line_.append(piece);
      const std::string whole = std::move(line_);
      line_.clear();
      processLine(whole, out);
    }
    pos = eol + 1;
    if (bytes[eol] == '\r') {
      if (pos == bytes.size()) {
        after_cr_ = true;
      } else if (bytes[pos] == '\n') {
        ++pos;
      }
    }
  }
  return {};
}

Status SseParser::finish(std::vector<SseEvent>& out) {
  if (failed_) return fail();
  if (at_start_) {
    at_start_ = false;
    line_ = std::move(bom_);
    bom_.clear();
  }
  if (!line_.empty()) {
    const std::string whole = std::move(line_);
    line_.clear();
    processLine(whole, out);
  }
  dispatch(out);
  after_cr_ = false;
  return {};
}

void SseParser::processLine(std::string_view line, std::vector<SseEvent>& out) {
  if (line.empty()) {
    dispatch(out);
    return;
  }
  if (line.front() == ':') return;  // comment
  std::string_view name = line;
  std::string_view value;
  if (const auto colon = line.find(':'); colon != std::string_view::npos) {
    name = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (name == "data") {
    data_.append(value);
    data_ += '\n';
    has_data_ = true;
  } else if (name == "event") {
    event_.assign(value);
  }
  // "id", "retry" and unknown fields are ignored.
}

void SseParser::dispatch(std::vector<SseEvent>& out) {
  if (has_data_) {
    data_.pop_back();  // the '\n' after the last data line
    out.push_back(SseEvent{std::move(event_), std::move(data_)});
  }
  data_.clear();
  event_.clear();
  has_data_ = false;
}

}  // namespace poise::protocols
