#include "http/query.h"

namespace poise::http {

namespace {
int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string queryParam(std::string_view query, std::string_view name) {
  std::size_t i = 0;
  while (i <= query.size()) {
    const auto amp = query.find('&', i);
    const std::string_view part =
        query.substr(i, amp == std::string_view::npos ? std::string_view::npos : amp - i);
    const auto eq = part.find('=');
    if (part.substr(0, eq) == name) {
      std::string out;
      const std::string_view v =
          eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1);
      for (std::size_t k = 0; k < v.size(); ++k) {
        if (v[k] == '%' && k + 2 < v.size() + 0 && hexValue(v[k + 1]) >= 0 &&
            hexValue(v[k + 2]) >= 0) {
          out.push_back(static_cast<char>(hexValue(v[k + 1]) * 16 + hexValue(v[k + 2])));
          k += 2;
        } else if (v[k] == '+') {
          out.push_back(' ');
        } else {
          out.push_back(v[k]);
        }
      }
      return out;
    }
    if (amp == std::string_view::npos) break;
    i = amp + 1;
  }
  return {};
}

}  // namespace poise::http
