#include "core/encoding.h"

#include <sodium.h>

namespace poise {
namespace {

int sodiumVariant(Base64Alphabet alphabet, bool padded) {
  if (alphabet == Base64Alphabet::kUrlSafe) {
    return padded ? sodium_base64_VARIANT_URLSAFE : sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  }
  return padded ? sodium_base64_VARIANT_ORIGINAL : sodium_base64_VARIANT_ORIGINAL_NO_PADDING;
}

}  // namespace

std::string toHex(std::span<const unsigned char> bytes) {
  // libsodium declares its buffers non-null; an empty span may carry a null data().
  if (bytes.empty()) return {};
  // sodium_bin2hex writes a terminating NUL after the digits.
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes.data(), bytes.size());
  out.pop_back();
  return out;
}

std::optional<std::vector<unsigned char>> fromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  if (hex.empty()) return std::vector<unsigned char>{};  // (no null buffer for libsodium)
  std::vector<unsigned char> out(hex.size() / 2);
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_hex2bin(out.data(), out.size(), hex.data(), hex.size(), nullptr, &len, &end) != 0 ||
      len != out.size() || end != hex.data() + hex.size()) {
    return std::nullopt;
  }
  return out;
}

std::string toBase64(std::span<const unsigned char> bytes, Base64Alphabet alphabet, bool padded) {
  if (bytes.empty()) return {};  // (no null buffer for libsodium)
  const int variant = sodiumVariant(alphabet, padded);
  // sodium_base64_ENCODED_LEN is exact for every variant and counts the terminating NUL.
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), variant);
  out.pop_back();
  return out;
}

std::optional<std::vector<unsigned char>> fromBase64(std::string_view text, Base64Alphabet alphabet,
                                                     bool padded) {
  std::vector<unsigned char> out(text.size() / 4 * 3 + 3);
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, &end,
                        sodiumVariant(alphabet, padded)) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

std::optional<std::vector<unsigned char>> fromAnyBase64(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  const bool url_safe = text.find_first_of("-_") != std::string_view::npos;
  return fromBase64(text, url_safe ? Base64Alphabet::kUrlSafe : Base64Alphabet::kStandard,
                    /*padded=*/false);
}

}  // namespace poise
