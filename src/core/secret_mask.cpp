#include "core/secret_mask.h"

#include <array>
#include <cctype>

namespace poise {

std::string maskSecret(std::string_view secret) {
  if (secret.size() < 12) return "****";
  std::string out;
  out.reserve(13);
  out.append(secret.substr(0, 6));
  out.append("...");
  out.append(secret.substr(secret.size() - 4));
  return out;
}

namespace {

bool isTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
         c == '~' || c == '+' || c == '/' || c == '=';
}

bool iequalsAt(std::string_view text, std::size_t pos, std::string_view word) {
  if (pos + word.size() > text.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[pos + i])) != word[i]) return false;
  }
  return true;
}

// Length of the secret-looking run that starts at pos.
std::size_t runLength(std::string_view text, std::size_t pos) {
  std::size_t end = pos;
  while (end < text.size() && isTokenChar(text[end])) ++end;
  return end - pos;
}

}  // namespace

std::string scrubSecrets(std::string_view text) {
  // Prefixes after which the following token is a secret. Matching is case-insensitive.
  static constexpr std::array<std::string_view, 6> kPrefixes = {
      "key=", "bearer ", "x-goog-api-key: ", "x-api-key: ", "x-goog-api-key=", "api_key="};
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    // A bare Google key anywhere.
    if (text.compare(i, 4, "AIza") == 0) {
      const std::size_t len = runLength(text, i);
      if (len >= 30) {
        out.append(maskSecret(text.substr(i, len)));
        i += len;
        continue;
      }
    }
    // A client token ("gp_" + 43 base64url characters) anywhere.
    if (text.compare(i, 3, "gp_") == 0 &&
        (i == 0 || !std::isalnum(static_cast<unsigned char>(text[i - 1])))) {
      const std::size_t len = runLength(text, i);
      if (len >= 24) {
        out.append(maskSecret(text.substr(i, len)));
        i += len;
        continue;
      }
    }
    bool matched = false;
    for (std::string_view p : kPrefixes) {
      if (iequalsAt(text, i, p)) {
        // Only match "key=" at a parameter boundary, so "monkey=" stays untouched.
        if (p == "key=" && i > 0 && std::isalnum(static_cast<unsigned char>(text[i - 1])) &&
            text[i - 1] != '?' && text[i - 1] != '&') {
          break;
        }
        out.append(text.substr(i, p.size()));
        i += p.size();
        const std::size_t len = runLength(text, i);
        if (len > 0) {
          out.append(maskSecret(text.substr(i, len)));
          i += len;
        }
        matched = true;
        break;
      }
    }
    if (matched) continue;
    out.push_back(text[i]);
    ++i;
  }
  return out;
}

}  // namespace poise
