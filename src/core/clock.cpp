#include "core/clock.h"

#include <charconv>
#include <cstdio>
#include <ctime>
#include <string>

namespace poise {

TimePoint SystemClock::now() const {
  return std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now());
}

std::int64_t SystemClock::monotonicMs() const {
  return std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string formatIso8601(TimePoint t) {
  const std::int64_t ms = t.time_since_epoch().count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  int frac = static_cast<int>(ms % 1000);
  if (frac < 0) {
    frac += 1000;
    secs -= 1;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
  return buf;
}

namespace {
// Exactly `len` decimal digits at `pos` (no sign).
bool readInt(std::string_view s, std::size_t pos, std::size_t len, int& out) {
  if (pos + len > s.size()) return false;
  for (std::size_t i = pos; i < pos + len; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  auto r = std::from_chars(s.data() + pos, s.data() + pos + len, out);
  return r.ec == std::errc{} && r.ptr == s.data() + pos + len;
}

// "", "Z", "z" (UTC) or "±HH:MM", "±HHMM", "±HH": minutes east of UTC, at most 23:59 either way.
bool parseUtcOffset(std::string_view s, int& minutes) {
  minutes = 0;
  if (s.empty() || s == "Z" || s == "z") return true;
  if (s[0] != '+' && s[0] != '-') return false;
  int h = 0;
  int m = 0;
  const bool ok = (s.size() == 3 && readInt(s, 1, 2, h)) ||
                  (s.size() == 5 && readInt(s, 1, 2, h) && readInt(s, 3, 2, m)) ||
                  (s.size() == 6 && s[3] == ':' && readInt(s, 1, 2, h) && readInt(s, 4, 2, m));
  if (!ok || h > 23 || m > 59) return false;
  minutes = (s[0] == '-' ? -1 : 1) * (h * 60 + m);
  return true;
}
}  // namespace

bool parseIso8601(std::string_view s, TimePoint& out) {
  int y, mo, d, h, mi, sec;
  if (s.size() < 19 || !readInt(s, 0, 4, y) || s[4] != '-' || !readInt(s, 5, 2, mo) ||
      s[7] != '-' || !readInt(s, 8, 2, d) || (s[10] != 'T' && s[10] != ' ') ||
      !readInt(s, 11, 2, h) || s[13] != ':' || !readInt(s, 14, 2, mi) || s[16] != ':' ||
      !readInt(s, 17, 2, sec)) {
    return false;
  }
  std::size_t pos = 19;
  int ms = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 3) ms = ms * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return false;
    for (int i = digits; i < 3; ++i) ms *= 10;
  }
  int offset_minutes = 0;
  if (!parseUtcOffset(s.substr(pos), offset_minutes)) return false;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return false;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  const std::int64_t secs =
      static_cast<std::int64_t>(timegm(&tm)) - std::int64_t{offset_minutes} * 60;
  out = TimePoint{Millis{secs * 1000 + ms}};
  return true;
}

}  // namespace poise
