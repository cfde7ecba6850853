// Query-string helpers shared by the proxy and the admin API. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace poise::http {

// The percent-decoded value of the first `name` parameter of a query string (without '?'), or
// empty when absent.
std::string queryParam(std::string_view query, std::string_view name);

}  // namespace poise::http
