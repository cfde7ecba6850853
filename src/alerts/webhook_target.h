// WebhookTarget: where a webhook's deliveries go, checked before anything is stored and again
// before each send. The URL must be absolute http(s), with a host, no credentials and no
// fragment; a literal IP host must be public unless private targets are allowed (host names are
// judged on every address they resolve to, when connecting: net::UpstreamPool public_only).
// Custom header names must be tokens and values free of control characters (so nothing can be
// injected into the request), and the headers the gateway writes itself cannot be set. Pure;
// thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/origin.h"
#include "core/result.h"

namespace poise::alerts {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct WebhookTarget {
  Origin origin;
  std::string target;  // origin-form: path (at least "/") and query
};

inline constexpr std::size_t kMaxWebhookHeaders = 16;

// Parses and checks `url` (ValidationError naming the problem).
[[nodiscard]] Result<WebhookTarget> parseWebhookUrl(std::string_view url, bool allow_private);

// Checks custom headers (ValidationError naming the first bad one).
[[nodiscard]] Status checkWebhookHeaders(const HeaderList& headers);

// The value a listing shows: secret-looking headers (Authorization, cookies, anything named like
// a token, key, secret, signature or password) show only their first few characters.
std::string maskHeaderValue(std::string_view name, std::string_view value);

}  // namespace poise::alerts
