#include "protocols/gemini/stream_end.h"

#include <algorithm>
#include <array>
#include <optional>

namespace poise::protocols {

namespace {

constexpr std::array<std::string_view, 3> kEndKeys = {"\"finishReason\"", "\"blockReason\"",
                                                      "\"error\""};
// The longest key plus room for the blanks and ':' that must follow it.
constexpr std::size_t kKeepBytes = 14 + 16;

// Whether `text` from `at` is blanks and then ':' (nullopt when it ends before telling).
std::optional<bool> colonFollows(std::string_view text, std::size_t at) {
  for (; at < text.size(); ++at) {
    const char c = text[at];
    if (c == ':') return true;
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
  }
  return std::nullopt;
}

}  // namespace

void StreamEndScanner::scan(std::string_view text, std::size_t from) {
  for (std::string_view key : kEndKeys) {
    std::size_t at = text.find(key, from);
    while (at != std::string_view::npos) {
      if (colonFollows(text, at + key.size()).value_or(false)) {
        ended_ = true;
        return;
      }
      at = text.find(key, at + 1);
    }
  }
}

void StreamEndScanner::feed(std::string_view bytes) {
  if (ended_ || bytes.empty()) return;
  // The tail and the new bytes together, so that a key (or its ':') split between two pieces
  // is found; only the tail's last kKeepBytes are kept, so the join stays small.
  std::string joint = tail_;
  joint.append(bytes.substr(0, std::min(bytes.size(), kKeepBytes)));
  scan(joint, 0);
  if (ended_) return;
  scan(bytes, 0);
  if (ended_) return;
  if (bytes.size() >= kKeepBytes) {
    tail_.assign(bytes.substr(bytes.size() - kKeepBytes));
  } else {
    tail_.append(bytes);
    if (tail_.size() > kKeepBytes) tail_.erase(0, tail_.size() - kKeepBytes);
  }
}

}  // namespace poise::protocols
