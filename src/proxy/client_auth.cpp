#include "proxy/client_auth.h"

namespace poise::proxy {

std::optional<std::string_view> presentedToken(const TokenSources& s) {
  if (!s.goog_api_key.empty()) return s.goog_api_key;
  if (!s.query_key.empty()) return s.query_key;
  if (!s.x_api_key.empty()) return s.x_api_key;
  std::string_view a = s.authorization;
  if (a.size() > 7 && (a.substr(0, 7) == "Bearer " || a.substr(0, 7) == "bearer ")) {
    a.remove_prefix(7);
    while (!a.empty() && a.front() == ' ') a.remove_prefix(1);
    if (!a.empty()) return a;
  }
  return std::nullopt;
}

bool tokenEquals(std::string_view presented, std::string_view expected) {
  if (expected.empty()) return false;
  return tokenMatches(presented, sha256(expected));
}

bool tokenMatches(std::string_view presented, const Sha256& expected) {
  return digestEquals(sha256(presented), expected);
}

}  // namespace poise::proxy
