#include "core/origin.h"

#include <boost/url/parse.hpp>

namespace poise {

std::string Origin::hostHeader() const {
  if ((tls && port == "443") || (!tls && port == "80")) return host;
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + port;
  return host + ":" + port;
}

Result<std::pair<Origin, std::string>> parseOriginUrl(std::string_view url) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return makeError(ErrorCode::InvalidUrl, "not an absolute URL");
  const auto scheme = parsed->scheme();
  Origin o;
  if (scheme == "https") {
    o.tls = true;
  } else if (scheme == "http") {
    o.tls = false;
  } else {
    return makeError(ErrorCode::InvalidUrl, "the URL scheme must be http or https");
  }
  o.host = std::string(parsed->host_address());
  if (o.host.empty()) return makeError(ErrorCode::InvalidUrl, "the URL has no host");
  if (parsed->has_userinfo())
    return makeError(ErrorCode::InvalidUrl, "the URL must not carry credentials");
  o.port = parsed->has_port() ? std::string(parsed->port()) : (o.tls ? "443" : "80");
  std::string base(parsed->encoded_path());
  while (!base.empty() && base.back() == '/') base.pop_back();
  return std::make_pair(std::move(o), std::move(base));
}

}  // namespace poise
