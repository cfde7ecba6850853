#include "fakes/fault_script.h"

#include <algorithm>
#include <array>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace poise::fakes {

namespace {

constexpr std::array<int, 12> kScriptableStatuses = {200, 400, 401, 403, 404, 408,
                                                     429, 500, 501, 502, 503, 504};
constexpr std::array<std::string_view, 8> kActions = {"",
                                                      "reset",
                                                      "close",
                                                      "hang",
                                                      "midstream_reset",
                                                      "midstream_close",
                                                      "midstream_error",
                                                      "midstream_truncate"};
constexpr int kMaxDelayMs = 10 * 60 * 1000;

// The error alternative of any ScriptResult (explicit, since T may itself be a string).
struct ScriptError {
  std::string message;
  template <class T>
  operator ScriptResult<T>() const {  // NOLINT(google-explicit-constructor)
    return ScriptResult<T>(boost::system::in_place_error, message);
  }
};

bool startsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

ScriptResult<int> intField(const boost::json::value& v, std::string_view name, int min, int max) {
  if (!v.is_int64() && !v.is_uint64()) {
    return ScriptError(std::string(name) + " must be an integer");
  }
  const auto n = v.is_int64() ? v.get_int64() : static_cast<std::int64_t>(v.get_uint64());
  if (n < min || n > max) return ScriptError(std::string(name) + " is out of range");
  return static_cast<int>(n);
}

ScriptResult<std::string> stringField(const boost::json::value& v, std::string_view name) {
  if (!v.is_string()) return ScriptError(std::string(name) + " must be a string");
  return ScriptResult<std::string>(boost::system::in_place_value, v.get_string());
}

ScriptResult<ScriptedResponse> parseOne(const boost::json::value& v) {
  if (!v.is_object()) return ScriptError("each response must be an object");
  ScriptedResponse r;
  bool has_status = false;
  for (const auto& [name, value] : v.get_object()) {
    const std::string_view n = name;
    if (n == "status") {
      auto s = intField(value, n, 100, 599);
      if (!s) return s.error();
      if (std::find(kScriptableStatuses.begin(), kScriptableStatuses.end(), *s) ==
          kScriptableStatuses.end()) {
        return ScriptError("status " + std::to_string(*s) + " is not scriptable");
      }
      r.status = *s;
      has_status = true;
    } else if (n == "action") {
      auto s = stringField(value, n);
      if (!s) return s.error();
      if (std::find(kActions.begin(), kActions.end(), *s) == kActions.end()) {
        return ScriptError("unknown action \"" + *s + "\"");
      }
      r.action = *s;
    } else if (n == "model") {
      auto s = stringField(value, n);
      if (!s) return s.error();
      r.model = startsWith(*s, "models/") ? s->substr(7) : *s;
    } else if (n == "retryDelay" || n == "retry_delay") {
      auto s = stringField(value, n);
      if (!s) return s.error();
      r.retry_delay = *s;
    } else if (n == "quotaId" || n == "quota_id") {
      auto s = stringField(value, n);
      if (!s) return s.error();
      r.quota_id = *s;
    } else if (n == "reason") {
      auto s = stringField(value, n);
      if (!s) return s.error();
      r.reason = *s;
    } else if (n == "message") {
      auto s = stringField(value, n);
      if (!s) return s.error();
      r.message = *s;
    } else if (n == "delayMs" || n == "delay_ms") {
      auto i = intField(value, n, 0, kMaxDelayMs);
      if (!i) return i.error();
      r.delay_ms = *i;
    } else if (n == "afterChunks" || n == "after_chunks") {
      auto i = intField(value, n, 0, 10000);
      if (!i) return i.error();
      r.after_chunks = *i;
    } else if (n == "chunks") {
      auto i = intField(value, n, 1, 10000);
      if (!i) return i.error();
      r.chunks = *i;
    } else if (n == "chunkDelayMs" || n == "chunk_delay_ms") {
      auto i = intField(value, n, 0, kMaxDelayMs);
      if (!i) return i.error();
      r.chunk_delay_ms = *i;
    } else if (n == "times") {
      auto i = intField(value, n, -1, 1000000);
      if (!i) return i.error();
      if (*i == 0) return ScriptError("times must be -1 or positive");
      r.times = *i;
    } else {
      return ScriptError("unknown field \"" + std::string(n) + "\"");
    }
  }
  if (!r.action.empty() && has_status && r.status != 200) {
    return ScriptError("an action cannot be combined with an error status");
  }
  return r;
}

}  // namespace

ScriptResult<std::vector<ScriptedResponse>> parseScriptedResponses(
    const boost::json::value& responses) {
  if (!responses.is_array()) return ScriptError("responses must be an array");
  std::vector<ScriptedResponse> out;
  for (const auto& v : responses.get_array()) {
    auto r = parseOne(v);
    if (!r) return r.error();
    out.push_back(std::move(*r));
  }
  return out;
}

std::optional<ScriptedResponse> conventionForKey(std::string_view key) {
  ScriptedResponse r;
  if (startsWith(key, "quotaday-")) {
    r.status = 429;
    r.quota_id = "GenerateRequestsPerDayPerProjectPerModel-FreeTier";
  } else if (startsWith(key, "quota-")) {
    r.status = 429;
  } else if (startsWith(key, "overloaded-")) {
    r.status = 503;
  } else if (startsWith(key, "internal-")) {
    r.status = 500;
  } else if (startsWith(key, "forbidden-")) {
    r.status = 403;
  } else if (startsWith(key, "reset-")) {
    r.action = "reset";
  } else if (startsWith(key, "midstreamerr-")) {
    r.action = "midstream_error";
  } else if (startsWith(key, "truncate-")) {
    r.action = "midstream_truncate";
  } else if (startsWith(key, "midstream-")) {
    r.action = "midstream_close";
  } else if (startsWith(key, "slow-")) {
    r.delay_ms = 3000;
  } else {
    return std::nullopt;
  }
  return r;
}

void FaultScript::push(const std::string& key, std::vector<ScriptedResponse> entries,
                       bool replace) {
  std::lock_guard lock(mutex_);
  auto& queue = queues_[key];
  if (replace) queue.clear();
  for (auto& e : entries) queue.push_back(std::move(e));
}

std::optional<ScriptedResponse> FaultScript::take(const std::string& key, std::string_view model) {
  {
    std::lock_guard lock(mutex_);
    auto it = queues_.find(key);
    if (it != queues_.end()) {
      auto& queue = it->second;
      for (auto e = queue.begin(); e != queue.end(); ++e) {
        if (!e->model.empty() && e->model != model) continue;
        ScriptedResponse r = *e;
        if (e->times > 0 && --e->times == 0) queue.erase(e);
        return r;
      }
    }
  }
  return conventionForKey(key);
}

void FaultScript::setValidKeys(std::optional<std::set<std::string>> keys) {
  std::lock_guard lock(mutex_);
  valid_keys_ = std::move(keys);
}

bool FaultScript::isValidKey(const std::string& key) const {
  if (startsWith(key, "invalid")) return false;
  std::lock_guard lock(mutex_);
  return !valid_keys_ || valid_keys_->count(key) > 0;
}

void FaultScript::clear() {
  std::lock_guard lock(mutex_);
  queues_.clear();
  valid_keys_.reset();
}

}  // namespace poise::fakes
