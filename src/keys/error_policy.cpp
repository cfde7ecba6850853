#include "keys/error_policy.h"

#include <boost/json/parse.hpp>
#include <charconv>

namespace poise::keys {

std::string_view toString(ErrorAction a) {
  switch (a) {
    case ErrorAction::Cooldown:
      return "cooldown";
    case ErrorAction::Disable:
      return "disable";
    case ErrorAction::RetryOtherKey:
      return "retry-other-key";
    case ErrorAction::ReturnToClient:
      return "return-to-client";
  }
  return "return-to-client";
}

std::optional<ErrorAction> parseErrorAction(std::string_view s) {
  if (s == "cooldown") return ErrorAction::Cooldown;
  if (s == "disable") return ErrorAction::Disable;
  if (s == "retry-other-key") return ErrorAction::RetryOtherKey;
  if (s == "return-to-client") return ErrorAction::ReturnToClient;
  return std::nullopt;
}

ErrorPolicy::ErrorPolicy() {
  rules_ = {
      {"429", ErrorAction::Cooldown},       {"400:API_KEY_INVALID", ErrorAction::Disable},
      {"401", ErrorAction::Disable},        {"403", ErrorAction::Disable},
      {"408", ErrorAction::RetryOtherKey},  {"5xx", ErrorAction::RetryOtherKey},
      {"4xx", ErrorAction::ReturnToClient},
  };
}

const ErrorAction* ErrorPolicy::find(std::string_view name) const {
  auto it = rules_.find(name);
  return it == rules_.end() ? nullptr : &it->second;
}

ErrorAction ErrorPolicy::actionFor(unsigned status, std::string_view reason,
                                   std::string_view grpc_status) const {
  const std::string code = std::to_string(status);
  for (std::string_view detail : {reason, grpc_status}) {
    if (detail.empty()) continue;
    std::string name = code;
    name += ':';
    name += detail;
    if (const auto* a = find(name)) return *a;
  }
  for (std::string_view detail : {reason, grpc_status}) {
    if (detail.empty()) continue;
    if (const auto* a = find(detail)) return *a;
  }
  if (const auto* a = find(code)) return *a;
  const std::string cls = std::to_string(status / 100) + "xx";
  if (const auto* a = find(cls)) return *a;
  return status >= 500 || status == 408 ? ErrorAction::RetryOtherKey : ErrorAction::ReturnToClient;
}

namespace {

bool isClientErrorStatus(unsigned s) {
  switch (s) {
    case 404:
    case 405:
    case 409:
    case 411:
    case 413:
    case 415:
    case 422:
      return true;
    default:
      return false;
  }
}

// Checks one rule name and its action against the guard rails.
Status checkRule(std::string_view name, ErrorAction action) {
  auto bad = [&](std::string_view why) {
    return makeError(ErrorCode::InvalidConfig,
                     "key_error_actions: \"" + std::string(name) + "\" " + std::string(why));
  };
  std::string_view status_part = name.substr(0, name.find(':'));
  const bool has_reason = name.find(':') != std::string_view::npos;
  if (has_reason && name.size() == status_part.size() + 1) return bad("has an empty reason");
  unsigned status = 0;
  bool is_class = false;
  if (status_part.size() == 3 && status_part.substr(1) == "xx" && status_part[0] >= '4' &&
      status_part[0] <= '5') {
    is_class = true;
    status = static_cast<unsigned>(status_part[0] - '0') * 100;
    if (has_reason) return bad("cannot combine a status class with a reason");
  } else if (!status_part.empty() && status_part[0] >= '0' && status_part[0] <= '9') {
    auto r = std::from_chars(status_part.data(), status_part.data() + status_part.size(), status);
    if (r.ec != std::errc{} || r.ptr != status_part.data() + status_part.size() || status < 400 ||
        status > 599) {
      return bad("is not a status from 400 to 599, a class (4xx, 5xx) or a reason");
    }
  } else if (has_reason) {
    return bad("must start with a status code");
  } else {
    // A bare reason or status string (API_KEY_INVALID, RESOURCE_EXHAUSTED, UNAVAILABLE, …).
    for (char c : name) {
      if (!((c >= 'A' && c <= 'Z') || c == '_' || (c >= '0' && c <= '9'))) {
        return bad("is not a status code or an upper-case reason");
      }
    }
    if (action == ErrorAction::Disable &&
        (name == "UNAVAILABLE" || name == "INTERNAL" || name == "DEADLINE_EXCEEDED")) {
      return bad("is a server-side failure and can never disable a key");
    }
    return {};
  }
  const bool server_side = status >= 500 || status == 408;
  if (action == ErrorAction::Disable && server_side) {
    return bad("is a server-side failure and can never disable a key");
  }
  const bool client_side = (!is_class && isClientErrorStatus(status)) ||
                           (!is_class && status == 400 && !has_reason) ||
                           (is_class && status == 400);
  if (client_side && (action == ErrorAction::Disable || action == ErrorAction::Cooldown)) {
    return bad("is a client error and never counts against a key");
  }
  return {};
}

}  // namespace

Result<ErrorPolicy> parseErrorPolicy(std::string_view text) {
  ErrorPolicy policy;
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) return policy;
  boost::system::error_code ec;
  const auto v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) {
    return makeError(ErrorCode::InvalidConfig,
                     "key_error_actions must be a JSON object of error to action, e.g. "
                     "{\"404\": \"retry-other-key\"}");
  }
  for (const auto& [name, value] : v.as_object()) {
    const auto* s = value.if_string();
    const auto action = s ? parseErrorAction(*s) : std::nullopt;
    if (!action) {
      return makeError(ErrorCode::InvalidConfig,
                       "key_error_actions: \"" + std::string(name) +
                           "\" must map to cooldown, disable, retry-other-key or "
                           "return-to-client");
    }
    if (auto st = checkRule(name, *action); !st) return st.error();
    policy.rules_[std::string(name)] = *action;
  }
  return policy;
}

}  // namespace poise::keys
