// Query-string helpers shared by the proxy and the admin API. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace poise::http {

// The form-decoded value ('+' is a space, %XX escapes) of the first `name` parameter of a query
// string (without '?'), or empty when absent. A value with a malformed escape is returned as
// written.
std::string queryParam(std::string_view query, std::string_view name);

}  // namespace poise::http
