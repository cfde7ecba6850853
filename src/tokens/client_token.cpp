#include "tokens/client_token.h"

#include <algorithm>

namespace poise::tokens {

std::string_view toString(ClientProtocol protocol) {
  switch (protocol) {
    case ClientProtocol::Native:
      return "native";
    case ClientProtocol::OpenAI:
      return "openai";
    case ClientProtocol::Anthropic:
      return "anthropic";
  }
  return "native";
}

std::optional<ClientProtocol> protocolFromString(std::string_view name) {
  for (const auto p : {ClientProtocol::Native, ClientProtocol::OpenAI, ClientProtocol::Anthropic}) {
    if (toString(p) == name) return p;
  }
  return std::nullopt;
}

Denial checkAccess(const ClientToken& token, ClientProtocol protocol,
                   const std::optional<boost::asio::ip::address>& client, TimePoint now) {
  if (!token.enabled) return Denial::Disabled;
  if (token.expires_at && *token.expires_at <= now) return Denial::Expired;
  if (token.allowed_protocols != 0 &&
      (token.allowed_protocols & static_cast<unsigned>(protocol)) == 0) {
    return Denial::Protocol;
  }
  if (!token.allowed_addresses.empty() && (!client || !token.allowed_addresses.contains(*client))) {
    return Denial::Address;
  }
  return Denial::None;
}

bool allowsModel(const ClientToken& token, std::string_view model) {
  if (token.allowed_models.empty()) return true;
  if (model.starts_with("models/")) model.remove_prefix(7);
  return std::ranges::any_of(token.allowed_models,
                             [&](const std::string& p) { return globMatch(p, model); });
}

// The classic two-pointer wildcard match: on a mismatch after a '*', retry with that star
// taking one more character. Each text position is revisited at most once per star, so it is
// O(pattern × text) at worst and linear in practice.
bool globMatch(std::string_view pattern, std::string_view text) {
  std::size_t p = 0;
  std::size_t t = 0;
  std::size_t star = std::string_view::npos;
  std::size_t star_text = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_text = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++star_text;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool validModelPattern(std::string_view pattern) {
  if (pattern.empty() || pattern.size() > 128) return false;
  return std::ranges::all_of(pattern, [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-' || c == '/' || c == '*' || c == '?';
  });
}

}  // namespace poise::tokens
