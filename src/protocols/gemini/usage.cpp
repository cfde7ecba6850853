#include "protocols/gemini/usage.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "protocols/json_fields.h"

namespace poise::protocols {

namespace json = boost::json;

namespace {

constexpr std::string_view kKey = "\"usageMetadata\"";
// A usage object is a few hundred bytes; anything far larger is not one.
constexpr std::size_t kCaptureLimit = 8192;
constexpr std::size_t kIncomplete = std::string_view::npos;
constexpr std::size_t kInvalid = kIncomplete - 1;

bool space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::int64_t countField(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return 0;
  // Capped so that sums of counts can never overflow.
  return std::clamp<std::int64_t>(asInteger(*v).value_or(0), 0, std::int64_t{1} << 48);
}

// In `text`, which starts with the key: where its object starts ('{'), kIncomplete when the
// text ends first, kInvalid when something else follows the key.
std::size_t objectStart(std::string_view text) {
  std::size_t i = kKey.size();
  while (i < text.size() && space(text[i])) ++i;
  if (i == text.size()) return kIncomplete;
  if (text[i] != ':') return kInvalid;
  ++i;
  while (i < text.size() && space(text[i])) ++i;
  if (i == text.size()) return kIncomplete;
  return text[i] == '{' ? i : kInvalid;
}

// The bytes objectEnd() stops at; every other byte is skipped in a tight loop.
constexpr std::array<bool, 256> kStops = [] {
  std::array<bool, 256> stops{};
  for (const unsigned char c : {'"', '\\', '{', '}'}) stops[c] = true;
  return stops;
}();

// The index just past the object that starts at `start`, or kIncomplete.
std::size_t objectEnd(std::string_view text, std::size_t start) {
  int depth = 0;
  bool in_string = false;
  const std::size_t n = text.size();
  for (std::size_t i = start; i < n; ++i) {
    while (i < n && !kStops[static_cast<unsigned char>(text[i])]) ++i;
    if (i == n) break;
    const char c = text[i];
    if (c == '\\') {
      ++i;  // the escaped byte, whatever it is
    } else if (c == '"') {
      in_string = !in_string;
    } else if (!in_string && c == '{') {
      ++depth;
    } else if (!in_string && c == '}' && --depth == 0) {
      return i + 1;
    }
  }
  return kIncomplete;
}

// Where the last key starting before `end` is in `text`, or npos. Gemini puts usageMetadata near
// the end of an answer, so the search runs backwards from the capital 'M' of the key, which
// JSON bodies rarely hold.
std::size_t findLastKey(std::string_view text, std::size_t end) {
  constexpr std::size_t kM = 6;  // the index of 'M' in the key
  std::size_t limit = std::min(end + kM, text.size());
  while (limit > kM) {
    const void* m = ::memrchr(text.data(), 'M', limit);
    if (m == nullptr) return std::string_view::npos;
    const auto at_m = static_cast<std::size_t>(static_cast<const char*>(m) - text.data());
    if (at_m >= kM && text.substr(at_m - kM, kKey.size()) == kKey) return at_m - kM;
    limit = at_m;
  }
  return std::string_view::npos;
}

// The whole number after `"name":` in a usage object's text, capped like countField; 0 when the
// name is absent or its value is not a non-negative whole number.
std::int64_t countIn(std::string_view object, std::string_view quoted_name) {
  const auto at = object.find(quoted_name);
  if (at == std::string_view::npos) return 0;
  std::size_t i = at + quoted_name.size();
  while (i < object.size() && space(object[i])) ++i;
  if (i == object.size() || object[i] != ':') return 0;
  ++i;
  while (i < object.size() && space(object[i])) ++i;
  constexpr std::int64_t kCap = std::int64_t{1} << 48;
  std::int64_t value = 0;
  bool digits = false;
  for (; i < object.size() && object[i] >= '0' && object[i] <= '9'; ++i) {
    digits = true;
    value = std::min<std::int64_t>(kCap, value * 10 + (object[i] - '0'));
  }
  const bool whole =
      i < object.size() && (object[i] == ',' || object[i] == '}' || space(object[i]));
  return digits && whole ? value : 0;
}

// The usage counts, each read by `count` from its quoted field name ("\"promptTokenCount\"").
template <class Count>
GeminiUsage usageFrom(const Count& count) {
  GeminiUsage usage;
  usage.present = true;
  usage.prompt = count("\"promptTokenCount\"");
  usage.candidates = count("\"candidatesTokenCount\"");
  usage.thoughts = count("\"thoughtsTokenCount\"");
  usage.cached = count("\"cachedContentTokenCount\"");
  usage.tool_use_prompt = count("\"toolUsePromptTokenCount\"");
  usage.total = count("\"totalTokenCount\"");
  if (usage.total == 0) {
    usage.total = usage.prompt + usage.candidates + usage.thoughts + usage.tool_use_prompt;
  }
  return usage;
}

}  // namespace

GeminiUsage readUsage(const json::object& usage_metadata) {
  return usageFrom([&](std::string_view quoted_name) {
    return countField(usage_metadata, quoted_name.substr(1, quoted_name.size() - 2));
  });
}

void UsageScanner::feed(std::string_view bytes) {
  if (!capture_.empty()) {
    // An object still open: the rest of it comes first.
    capture_.append(bytes);
    settle();
    return;
  }
  if (!tail_.empty()) {
    // A key split between the last input and this one.
    std::string joint = tail_;
    joint.append(bytes.substr(0, kKey.size() - 1));
    if (const auto at = joint.find(kKey); at != std::string::npos && at < tail_.size()) {
      capture_ = tail_.substr(at);
      tail_.clear();
      capture_.append(bytes);
      settle();
      return;
    }
  }
  scan(bytes);
}

void UsageScanner::settle() {
  const std::string pending = std::move(capture_);
  capture_.clear();
  scan(pending);
}

// Keeps the last complete object of `text` (earlier ones are superseded) and, when the last key's
// object is still open, that key onwards in capture_; works in place, from the end.
void UsageScanner::scan(std::string_view text) {
  bool captured = false;
  std::size_t end = text.size();
  for (;;) {
    const std::size_t at = findLastKey(text, end);
    if (at == std::string_view::npos) break;
    const std::string_view from = text.substr(at);
    const std::size_t start = objectStart(from);
    const std::size_t close =
        start == kInvalid || start == kIncomplete ? start : objectEnd(from, start);
    if (close == kInvalid) {
      end = at;  // the key named something else (e.g. inside a string)
      continue;
    }
    if (close == kIncomplete) {
      // The last object is still open: kept until it closes (one copy per piece). An earlier
      // complete one still counts if it never does.
      if (!captured && from.size() <= kCaptureLimit) capture_.assign(from);
      captured = true;
      end = at;
      continue;
    }
    last_.assign(from.substr(start, close - start));
    break;
  }
  if (captured) {
    tail_.clear();
    return;
  }
  // Keep the last bytes seen, however small the pieces, for a key split across them.
  const std::size_t keep = kKey.size() - 1;
  if (text.size() >= keep) {
    tail_.assign(text.substr(text.size() - keep));
  } else {
    tail_.append(text);
    if (tail_.size() > keep) tail_.erase(0, tail_.size() - keep);
  }
}

GeminiUsage UsageScanner::usage() const {
  if (last_.empty()) return {};
  // The object is small and flat where it matters: its counts are read in place, not parsed
  // into a document (this runs once per request).
  return usageFrom([this](std::string_view quoted_name) { return countIn(last_, quoted_name); });
}

}  // namespace poise::protocols
