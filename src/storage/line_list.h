// Lists stored as one text column, one entry per line (entries never hold a line break: the
// admin API checks before anything is stored). Pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace poise::storage {

inline std::string joinLines(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) {
    if (!out.empty()) out.push_back('\n');
    out.append(i);
  }
  return out;
}

// The entries of `text`; empty lines are skipped.
inline std::vector<std::string> splitLines(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    if (nl != 0) out.emplace_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

}  // namespace poise::storage
