#include "core/upstream_address.h"

#include <algorithm>

namespace poise {

namespace {
constexpr std::array<unsigned char, 4> kAlibabaMetadata = {100, 100, 100, 200};
constexpr std::array<unsigned char, 16> kAwsMetadataV6 = {0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0,    0,
                                                          0,    0,    0,    0,    0, 0, 0x02, 0x54};
}  // namespace

std::optional<std::string_view> forbiddenUpstreamV4(const std::array<unsigned char, 4>& b) {
  if (b[0] == 169 && b[1] == 254) {
    return "a link-local address (169.254.0.0/16): cloud metadata services answer there";
  }
  if (b == kAlibabaMetadata) return "a cloud metadata address";
  return std::nullopt;
}

std::optional<std::string_view> forbiddenUpstreamV6(const std::array<unsigned char, 16>& b) {
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return "a link-local address (fe80::/10)";
  if (b == kAwsMetadataV6) return "a cloud metadata address";
  const bool v4_mapped =
      std::all_of(b.begin(), b.begin() + 10, [](unsigned char c) { return c == 0; }) &&
      b[10] == 0xff && b[11] == 0xff;
  if (v4_mapped) return forbiddenUpstreamV4({b[12], b[13], b[14], b[15]});
  return std::nullopt;
}

}  // namespace poise
