#include "protocols/gemini/usage.h"

#include <algorithm>
#include <boost/json/parse.hpp>

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

void UsageScanner::scan(std::string_view text) {
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
  capture_.assign(text.substr(at));
  settle();
}

void UsageScanner::settle() {
  while (!capture_.empty()) {
    const std::size_t start = objectStart(capture_);
    if (start == kInvalid) {
      // The key named something else (e.g. inside a string): look past it.
      const std::string rest = capture_.substr(kKey.size());
      capture_.clear();
      scan(rest);
      continue;
    }
    const std::size_t end = start == kIncomplete ? kIncomplete : objectEnd(capture_, start);
    if (end == kIncomplete) {
      if (capture_.size() > kCaptureLimit) capture_.clear();
      return;
    }
    last_ = capture_.substr(start, end - start);
    const std::string rest = capture_.substr(end);
    capture_.clear();
    scan(rest);
  }
}

GeminiUsage UsageScanner::usage() const {
  if (last_.empty()) return {};
  boost::system::error_code ec;
  const json::value v = json::parse(last_, ec);
  if (ec || !v.is_object()) return {};
  return readUsage(v.get_object());
}

}  // namespace poise::protocols
