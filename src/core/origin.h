// Origin: scheme, host and port of an upstream base URL (target_api_url), parsed once.
// Plain value type; thread-compatible.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "core/result.h"

namespace poise {

// Where requests go: scheme, host and port of target_api_url.
struct Origin {
  bool tls = true;
  std::string host;
  std::string port;  // numeric string
  std::string key() const { return (tls ? "https://" : "http://") + host + ":" + port; }
  // Value for the Host header ("host" or "host:port" when not the default port).
  std::string hostHeader() const;
};

// Parses "https://host[:port][/base]" into an origin plus the base path (without trailing '/').
// Only http and https are accepted.
Result<std::pair<Origin, std::string>> parseOriginUrl(std::string_view url);

}  // namespace poise
