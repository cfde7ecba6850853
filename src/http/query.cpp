#include "http/query.h"

#include <boost/url/encoding_opts.hpp>
#include <boost/url/pct_string_view.hpp>

namespace poise::http {

namespace {

// Form decoding ('+' is a space); a value with a malformed escape is returned as written.
std::string decodeValue(std::string_view v) {
  const auto encoded = boost::urls::make_pct_string_view(v);
  if (!encoded) return std::string(v);
  boost::urls::encoding_opts opts;
  opts.space_as_plus = true;
  return encoded->decode(opts);
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
      return decodeValue(eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    i = amp + 1;
  }
  return {};
}

}  // namespace poise::http
