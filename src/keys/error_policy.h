// ErrorPolicy: what an upstream error does to the key and to the request (SPEC §2 "Retries",
// issue 5 "Which errors count"). Config `key_error_actions` is a JSON object whose names match
// errors and whose values are actions; it is merged over the defaults, so an operator writes only
// what they change:
//
//   {"404": "retry-other-key", "PERMISSION_DENIED": "return-to-client"}
//
// Names, most specific first: "<status>:<REASON>" (status plus the Gemini error's
// details[].reason or its status string), "<REASON>" alone, "<status>", "<N>xx".
// Actions: cooldown (rest the key for this model, try another key at once), disable (status →
// error, try another key at once), retry-other-key (back off, try another key; the key is not
// blamed), return-to-client (answer at once; the key is not blamed).
// Guard rails, enforced when the config is written: a 5xx or 408 can never disable a key, and a
// client error (400 without a reason, 404, 405, 409, 411, 413, 415, 422) can neither disable
// nor cool one.
// Pure value type; thread-safe to share once built.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace poise::keys {

enum class ErrorAction { Cooldown, Disable, RetryOtherKey, ReturnToClient };
std::string_view toString(ErrorAction a);
std::optional<ErrorAction> parseErrorAction(std::string_view s);

class ErrorPolicy {
 public:
  // The defaults: 429 → cooldown; 400:API_KEY_INVALID, 401, 403 → disable; 408 and 5xx →
  // retry-other-key; other 4xx → return-to-client.
  ErrorPolicy();

  // The action for an upstream answer with `status` (≥ 400) whose error carries `reason`
  // (details[].reason, may be empty) and `grpc_status` (error.status, may be empty).
  ErrorAction actionFor(unsigned status, std::string_view reason,
                        std::string_view grpc_status) const;

  // The merged rules, for display.
  const std::map<std::string, ErrorAction, std::less<>>& rules() const { return rules_; }

 private:
  friend Result<ErrorPolicy> parseErrorPolicy(std::string_view json);
  const ErrorAction* find(std::string_view name) const;
  std::map<std::string, ErrorAction, std::less<>> rules_;
};

// Parses config `key_error_actions` over the defaults. Empty text → the defaults. Error code
// "invalid_config" naming the first bad entry.
Result<ErrorPolicy> parseErrorPolicy(std::string_view json);

}  // namespace poise::keys
