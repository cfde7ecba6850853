#include "proxy/attempt_outcome.h"

#include <date/tz.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>

namespace poise::proxy {

namespace json = boost::json;

std::optional<std::chrono::milliseconds> parseDuration(std::string_view s) {
  if (s.size() < 2 || s.back() != 's') return std::nullopt;
  s.remove_suffix(1);
  double seconds = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), seconds);
  if (r.ec != std::errc{} || r.ptr != s.data() + s.size() || seconds < 0 || seconds > 1e7) {
    return std::nullopt;
  }
  return std::chrono::milliseconds(std::llround(seconds * 1000.0));
}

namespace {

struct ErrorDetails {
  std::string reason;
  std::string status;
  std::optional<std::chrono::milliseconds> retry_delay;
  bool daily_quota = false;
};

ErrorDetails readDetails(std::string_view body) {
  ErrorDetails out;
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) return out;
  // Google's OpenAI-compatible surface wraps the error in an array.
  if (v.is_array() && !v.as_array().empty()) v = v.as_array()[0];
  const auto* obj = v.if_object();
  if (!obj) return out;
  const auto* err = obj->if_contains("error");
  if (!err || !err->is_object()) return out;
  const auto& e = err->as_object();
  if (const auto* st = e.if_contains("status"); st && st->is_string()) {
    out.status = std::string(st->as_string());
  }
  if (const auto* msg = e.if_contains("message"); msg && msg->is_string()) {
    if (std::string_view(msg->as_string()).find("API key not valid") != std::string_view::npos) {
      out.reason = "API_KEY_INVALID";
    }
  }
  const auto* details = e.if_contains("details");
  if (!details || !details->is_array()) return out;
  for (const auto& d : details->as_array()) {
    const auto* dobj = d.if_object();
    if (!dobj) continue;
    if (const auto* r = dobj->if_contains("reason"); r && r->is_string()) {
      out.reason = std::string(r->as_string());
    }
    if (const auto* rd = dobj->if_contains("retryDelay"); rd && rd->is_string()) {
      out.retry_delay = parseDuration(rd->as_string());
    }
    if (const auto* vs = dobj->if_contains("violations"); vs && vs->is_array()) {
      for (const auto& viol : vs->as_array()) {
        const auto* vo = viol.if_object();
        if (!vo) continue;
        if (const auto* q = vo->if_contains("quotaId"); q && q->is_string()) {
          if (std::string_view(q->as_string()).find("PerDay") != std::string_view::npos) {
            out.daily_quota = true;
          }
        }
      }
    }
  }
  return out;
}

// Google's 403 for a resource that exists only under another key (or not at all): "You do not
// have permission to access the File abc or it may not exist.", "CachedContent not found (or
// permission denied)".
bool isResourcePermissionDenial(std::string_view body) {
  return body.find("You do not have permission to access the ") != std::string_view::npos ||
         body.find("not found (or permission denied)") != std::string_view::npos;
}

}  // namespace

AttemptOutcome classifyResponse(unsigned status, std::string_view body,
                                const keys::ErrorPolicy& policy) {
  AttemptOutcome out;
  if (status >= 200 && status < 300) return out;
  // A resource (file, cache) that this key cannot see: the key is fine and another key cannot
  // see it either (affinity.h). Not the key's failure, and not retried.
  if (status == 403 && isResourcePermissionDenial(body)) {
    out.kind = OutcomeKind::ClientError;
    out.reason = "403 resource not visible to this key";
    return out;
  }
  const auto d = readDetails(body);
  const auto action = policy.actionFor(status, d.reason, d.status);
  std::string detail = d.reason.empty() ? d.status : d.reason;
  if (status == 429 && d.daily_quota) detail = "daily quota";
  out.reason = std::to_string(status);
  if (!detail.empty()) out.reason += " " + detail;
  switch (action) {
    case keys::ErrorAction::Cooldown:
      out.kind = OutcomeKind::Cooldown;
      out.retry_delay = d.retry_delay;
      out.daily_quota = d.daily_quota;
      break;
    case keys::ErrorAction::Disable:
      out.kind = OutcomeKind::KeyRejected;
      out.key_invalid = d.reason == "API_KEY_INVALID";
      break;
    case keys::ErrorAction::RetryOtherKey:
      out.kind = OutcomeKind::Transient;
      break;
    case keys::ErrorAction::ReturnToClient:
      out.kind = OutcomeKind::ClientError;
      break;
  }
  return out;
}

AttemptOutcome classifyResponse(unsigned status, std::string_view body) {
  static const keys::ErrorPolicy defaults;
  return classifyResponse(status, body, defaults);
}

namespace {

// America/Los_Angeles from the system tz database (Debian's tzdata), looked up once. Without it
// daily-quota resets cannot be placed, so the process stops at start-up with a clear message.
const date::time_zone& losAngeles() {
  static const date::time_zone* const zone = [] {
    try {
      return date::locate_zone("America/Los_Angeles");
    } catch (const std::exception& e) {
      std::fprintf(stderr, "fatal: time zone America/Los_Angeles not found; install tzdata (%s)\n",
                   e.what());
      std::exit(EXIT_FAILURE);
    }
  }();
  return *zone;
}

[[maybe_unused]] const date::time_zone& kLosAngelesAtStartUp = losAngeles();

}  // namespace

TimePoint nextPacificMidnight(TimePoint now) {
  const date::time_zone& zone = losAngeles();
  const date::local_days today = date::floor<date::days>(zone.to_local(now));
  // Midnight is never skipped or repeated in Los Angeles; `earliest` settles it if it ever is.
  return std::chrono::time_point_cast<Millis>(
      zone.to_sys(today + date::days{1}, date::choose::earliest));
}

TimePoint cooldownUntil(const AttemptOutcome& outcome, TimePoint now,
                        std::chrono::seconds default_cooldown) {
  if (outcome.daily_quota) return nextPacificMidnight(now);
  if (outcome.retry_delay) {
    return now + std::chrono::duration_cast<Millis>(*outcome.retry_delay);
  }
  return now + std::chrono::duration_cast<Millis>(default_cooldown);
}

std::chrono::milliseconds transientBackoff(int retry, std::chrono::milliseconds base,
                                           std::mt19937_64& rng) {
  const std::int64_t cap = 5000;
  std::int64_t step = base.count();
  for (int i = 0; i < retry && step < cap; ++i) step *= 2;
  step = std::min(step, cap);
  if (step <= 0) return std::chrono::milliseconds(0);
  std::uniform_int_distribution<std::int64_t> jitter(step / 2, step);
  return std::chrono::milliseconds(jitter(rng));
}

}  // namespace poise::proxy
