#include "protocols/gemini/usage.h"

#include <algorithm>

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

// The index just past the object that starts at `start`, or kIncomplete.
std::size_t objectEnd(std::string_view text, std::size_t start) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (std::size_t i = start; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{') {
      ++depth;
    } else if (c == '}' && --depth == 0) {
      return i + 1;
    }
  }
  return kIncomplete;
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

}  // namespace

GeminiUsage readUsage(const json::object& usage_metadata) {
  const json::object& uo = usage_metadata;
  GeminiUsage usage;
  usage.present = true;
  usage.prompt = countField(uo, "promptTokenCount");
  usage.candidates = countField(uo, "candidatesTokenCount");
  usage.thoughts = countField(uo, "thoughtsTokenCount");
  usage.cached = countField(uo, "cachedContentTokenCount");
  usage.tool_use_prompt = countField(uo, "toolUsePromptTokenCount");
  usage.total = countField(uo, "totalTokenCount");
  if (usage.total == 0) {
    usage.total = usage.prompt + usage.candidates + usage.thoughts + usage.tool_use_prompt;
  }
  return usage;
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

// Takes every complete object out of `text` in place (the last one wins) and keeps an unfinished
// one in capture_.
void UsageScanner::scan(std::string_view text) {
  for (;;) {
    const auto at = text.find(kKey);
    if (at == std::string_view::npos) {
      // Keep the last bytes seen, however small the pieces, for a key split across them.
      const std::size_t keep = kKey.size() - 1;
      if (text.size() >= keep) {
        tail_.assign(text.substr(text.size() - keep));
      } else {
        tail_.append(text);
        if (tail_.size() > keep) tail_.erase(0, tail_.size() - keep);
      }
      return;
    }
    tail_.clear();
    text.remove_prefix(at);
    const std::size_t start = objectStart(text);
    if (start == kInvalid) {
      // The key named something else (e.g. inside a string): look past it.
      text.remove_prefix(kKey.size());
      continue;
    }
    const std::size_t end = start == kIncomplete ? kIncomplete : objectEnd(text, start);
    if (end == kIncomplete) {
      // Kept until the object closes; only the key's own bytes are copied, once per piece.
      if (text.size() <= kCaptureLimit) capture_.assign(text);
      return;
    }
    last_.assign(text.substr(start, end - start));
    text.remove_prefix(end);
  }
}

GeminiUsage UsageScanner::usage() const {
  if (last_.empty()) return {};
  // The object is small and flat where it matters: its counts are read in place, not parsed
  // into a document (this runs once per request).
  GeminiUsage usage;
  usage.present = true;
  usage.prompt = countIn(last_, "\"promptTokenCount\"");
  usage.candidates = countIn(last_, "\"candidatesTokenCount\"");
  usage.thoughts = countIn(last_, "\"thoughtsTokenCount\"");
  usage.cached = countIn(last_, "\"cachedContentTokenCount\"");
  usage.tool_use_prompt = countIn(last_, "\"toolUsePromptTokenCount\"");
  usage.total = countIn(last_, "\"totalTokenCount\"");
  if (usage.total == 0) {
    usage.total = usage.prompt + usage.candidates + usage.thoughts + usage.tool_use_prompt;
  }
  return usage;
}

}  // namespace poise::protocols
