#include "protocols/gemini/thought_signature.h"

namespace poise::protocols {

namespace {

bool isBase64Char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/' || c == '-' || c == '_';
}

}  // namespace

std::string toolCallIdWithSignature(std::string_view id, std::string_view signature) {
  std::string out(id);
  if (signature.empty()) return out;
  out += kThoughtSignatureSeparator;
  for (char c : signature) {
    if (c == '+') {
      out += '-';
    } else if (c == '/') {
      out += '_';
    } else if (c != '=') {
      out += c;
    }
  }
  return out;
}

ToolCallIdParts splitToolCallId(std::string_view id) {
  const auto sep = id.find(kThoughtSignatureSeparator);
  if (sep == std::string_view::npos) return {id, {}};
  std::string_view encoded = id.substr(sep + kThoughtSignatureSeparator.size());
  while (!encoded.empty() && encoded.back() == '=') encoded.remove_suffix(1);
  if (encoded.empty() || encoded.size() % 4 == 1) return {id, {}};
  std::string signature;
  signature.reserve(encoded.size() + 3);
  for (char c : encoded) {
    if (!isBase64Char(c)) return {id, {}};
    signature += c == '-' ? '+' : c == '_' ? '/' : c;
  }
  while (signature.size() % 4 != 0) signature += '=';
  return {id.substr(0, sep), std::move(signature)};
}

}  // namespace poise::protocols
