#include "alerts/webhook_target.h"

#include <array>
#include <boost/algorithm/string/predicate.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/url/parse.hpp>

#include "net/public_address.h"
#include "net/request_head.h"
#include "storage/alert_repository.h"

namespace poise::alerts {

namespace {

Error invalid(std::string detail) {
  return makeError(ErrorCode::ValidationError, std::move(detail));
}

// Headers the gateway writes itself, or that would change how the request is framed or routed.
constexpr std::array<std::string_view, 12> kReservedHeaders{
    "host",         "content-length", "transfer-encoding", "connection",
    "content-type", "expect",         "keep-alive",        "upgrade",
    "te",           "trailer",        "user-agent",        "proxy-connection"};

constexpr std::size_t kMaxHeaderValueBytes = 4096;

}  // namespace

Result<WebhookTarget> parseWebhookUrl(std::string_view url, bool allow_private) {
  if (url.size() > 2048) return invalid("url is longer than 2048 bytes");
  auto origin = parseOriginUrl(url);
  if (!origin) return invalid("url: " + origin.error().message);
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return invalid("url: not an absolute URL");
  if (parsed->has_fragment()) return invalid("url must not have a fragment");
  if (parsed->has_port() && (parsed->port_number() == 0 || parsed->port().empty())) {
    return invalid("url: the port must be 1 to 65535");
  }
  WebhookTarget out{.origin = std::move(origin->first), .target = {}};
  std::string path(parsed->encoded_path());
  out.target = path.empty() ? "/" : path;
  if (parsed->has_query()) out.target += "?" + std::string(parsed->encoded_query());
  if (out.target.front() != '/') return invalid("url: the path must start with '/'");
  boost::system::error_code ec;
  const auto literal = boost::asio::ip::make_address(out.origin.host, ec);
  if (!ec && !allow_private) {
    if (auto why = net::nonPublicAddress(literal)) {
      return invalid("url: " + out.origin.host + " is " + std::string(*why) +
                     "; private and loopback targets need POISE_ALERTS_ALLOW_PRIVATE=on");
    }
  }
  // The request line must be writable as it stands (visible ASCII, no dot segments).
  if (auto head = net::RequestHead::start("POST", out.target); !head) {
    return invalid("url: " + head.error().message);
  }
  return out;
}

Status checkWebhookHeaders(const HeaderList& headers) {
  if (headers.size() > kMaxWebhookHeaders) {
    return invalid("headers: at most " + std::to_string(kMaxWebhookHeaders) + " headers");
  }
  std::size_t total = 0;
  for (const auto& [name, value] : headers) {
    total += name.size() + value.size() + 3;  // stored as "Name: value" lines
    if (!net::isHttpToken(name) || name.size() > 128) {
      return invalid("headers: '" + name.substr(0, 64) + "' is not a header name");
    }
    for (const auto reserved : kReservedHeaders) {
      if (boost::algorithm::iequals(name, reserved)) {
        return invalid("headers: " + name + " is set by the gateway");
      }
    }
    if (value.size() > kMaxHeaderValueBytes || !net::isHeaderValue(value)) {
      return invalid("headers: the value of " + name +
                     " must be at most 4096 bytes without control characters (CR, LF, NUL)");
    }
  }
  if (total > storage::kMaxWebhookHeaderBytes + 1) {
    return invalid("headers: at most 8192 bytes in all, names and values");
  }
  return {};
}

std::string maskHeaderValue(std::string_view name, std::string_view value) {
  static constexpr std::array<std::string_view, 9> kSecretHints{
      "authorization", "cookie",   "token", "key",       "secret",
      "signature",     "password", "auth",  "credential"};
  bool secret = false;
  for (const auto hint : kSecretHints) {
    if (boost::algorithm::icontains(name, hint)) secret = true;
  }
  if (!secret) return std::string(value);
  // "Bearer abcd…": the scheme and a few characters, never enough to use.
  const std::size_t space = value.find(' ');
  const std::size_t scheme = space == std::string_view::npos ? 0 : space + 1;
  const std::size_t shown = std::min<std::size_t>(4, (value.size() - scheme) / 4);
  return std::string(value.substr(0, scheme + shown)) + "****";
}

}  // namespace poise::alerts
