// ClientToken: one client token's policy as the proxy checks it (SPEC §4): enabled, expiry,
// allowed protocols, client addresses and models (glob patterns, matched against the Gemini
// model after alias resolution), and the limits TokenLimiter enforces. The token's value is not
// here: the registry keys tokens by the SHA-256 of their value. Plain immutable data once
// published; the checks are pure functions, safe from any thread.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "net/address_ranges.h"

namespace poise::tokens {

// The client protocols a token may be limited to; a bit set in ClientToken::allowed_protocols.
enum class ClientProtocol : unsigned {
  Native = 1,     // Gemini's own API, passed through
  OpenAI = 2,     // OpenAI routes, translated
  Anthropic = 4,  // Anthropic routes, translated
};

// "native", "openai", "anthropic".
std::string_view toString(ClientProtocol protocol);
std::optional<ClientProtocol> protocolFromString(std::string_view name);

struct ClientToken {
  std::int64_t id = 0;
  std::string name;
  bool enabled = true;
  std::optional<TimePoint> expires_at;
  std::vector<std::string> allowed_models;  // glob patterns; empty: every model
  unsigned allowed_protocols = 0;           // ClientProtocol bits; 0: every protocol
  net::AddressRanges allowed_addresses;     // empty: every client address
  std::optional<std::int64_t> rpm_limit;
  std::optional<std::int64_t> daily_request_quota;
  std::optional<std::int64_t> daily_token_quota;  // prompt + completion tokens
};

// Why a token may not make a request, in the order they are checked.
enum class Denial {
  None,
  Disabled,  // 401
  Expired,   // 401
  Protocol,  // 403
  Address,   // 403
  Model,     // 403
};

// The checks that need no model: enabled, expiry, protocol, client address (`client` may be
// unset when the address is unknown; a token with allowed addresses then refuses).
Denial checkAccess(const ClientToken& token, ClientProtocol protocol,
                   const std::optional<boost::asio::ip::address>& client, TimePoint now);
// Whether `model` (a Gemini model id, "models/" prefix optional) matches an allowed pattern.
bool allowsModel(const ClientToken& token, std::string_view model);

// Glob match over the whole text: '*' is any run of characters (also none), '?' exactly one;
// every other character matches itself. Linear time (no backtracking blow-up).
bool globMatch(std::string_view pattern, std::string_view text);
// A pattern an operator may store: 1-128 characters of model-id letters (A-Z a-z 0-9 . _ -),
// '/', '*' and '?'.
bool validModelPattern(std::string_view pattern);

}  // namespace poise::tokens
