#include "config/settings.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string_view>
#include <thread>

namespace poise::config {

namespace {

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

// "on", "true", "1" → true; "off", "false", "0" → false (any case, trimmed); nullopt otherwise.
std::optional<bool> parseSwitch(std::string_view value) {
  std::string word = trim(value);
  std::transform(word.begin(), word.end(), word.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (word == "on" || word == "true" || word == "1") return true;
  if (word == "off" || word == "false" || word == "0") return false;
  return std::nullopt;
}

template <class T>
bool parseNumber(const std::string& s, T& out) {
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc{} && r.ptr == s.data() + s.size();
}

// A whole number in [min, max] from `name`, when it is set.
template <class T>
Status readRange(const EnvLookup& get, const char* name, T min, T max, T& out) {
  auto v = get(name);
  if (!v) return {};
  T parsed{};
  if (!parseNumber(*v, parsed) || parsed < min || parsed > max) {
    return makeError(ErrorCode::InvalidSetting, std::string(name) + ": expected a whole number " +
                                                    std::to_string(min) + ".." +
                                                    std::to_string(max));
  }
  out = parsed;
  return {};
}

Status readRequestLogSettings(const EnvLookup& get, Settings& s) {
  if (auto st = readRange<std::size_t>(get, "POISE_REQUEST_LOG_QUEUE", 16, 1'048'576,
                                       s.request_log_queue);
      !st) {
    return st;
  }
  if (auto st =
          readRange<std::size_t>(get, "POISE_REQUEST_LOG_BATCH", 1, 5000, s.request_log_batch);
      !st) {
    return st;
  }
  if (auto st =
          readRange(get, "POISE_REQUEST_LOG_INTERVAL_MS", 10, 10'000, s.request_log_interval_ms);
      !st) {
    return st;
  }
  return readRange(get, "POISE_REQUEST_LOG_PRUNE_SECONDS", 1, 86'400, s.request_log_prune_seconds);
}

}  // namespace

EnvLookup processEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

Result<std::map<std::string, std::string>> parseDotEnv(std::string_view text) {
  std::map<std::string, std::string> out;
  std::size_t line_no = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const auto nl = text.find('\n', pos);
    const std::string_view raw =
        text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    ++line_no;
    std::string line = trim(raw);
    if (line.empty() || line[0] == '#') continue;
    if (line.rfind("export ", 0) == 0) line = trim(line.substr(7));
    const auto eq = line.find('=');
    if (eq == std::string::npos || eq == 0) {
      return makeError(ErrorCode::InvalidEnvFile,
                       ".env line " + std::to_string(line_no) + " is not KEY=VALUE");
    }
    std::string key = trim(line.substr(0, eq));
    std::string value = trim(line.substr(eq + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    } else {
      // Unquoted values may carry a trailing comment.
      const auto hash = value.find(" #");
      if (hash != std::string::npos) value = trim(value.substr(0, hash));
    }
    out[key] = value;
  }
  return out;
}

Result<Settings> resolveSettings(const FlagValues& flags, const EnvLookup& env,
                                 const std::map<std::string, std::string>& dot_env,
                                 unsigned cores) {
  auto get = [&](const std::string& name) -> std::optional<std::string> {
    if (auto it = flags.find(name); it != flags.end()) return it->second;
    if (auto v = env(name)) return v;
    if (auto it = dot_env.find(name); it != dot_env.end()) return it->second;
    return std::nullopt;
  };
  auto bad = [](const std::string& name, const std::string& why) {
    return makeError(ErrorCode::InvalidSetting, name + ": " + why);
  };

  Settings s;
  s.workers = std::max(1u, cores);
  if (auto v = get("POISE_LISTEN")) {
    const auto colon = v->rfind(':');
    if (colon == std::string::npos) return bad("POISE_LISTEN", "expected HOST:PORT");
    std::string host = v->substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
      host = host.substr(1, host.size() - 2);
    }
    unsigned port = 0;
    if (!parseNumber(v->substr(colon + 1), port) || port > 65535) {
      return bad("POISE_LISTEN", "invalid port");
    }
    s.listen_host = host.empty() ? "0.0.0.0" : host;
    s.listen_port = static_cast<unsigned short>(port);
  }
  if (auto v = get("POISE_DATA_DIR")) s.data_dir = *v;
  if (auto v = get("DATABASE_URL"); v && !v->empty()) {
    s.database_url = *v;
  } else {
    // "sqlite:///" + "/abs/dir" yields the four-slash absolute form; a relative dir stays relative.
    s.database_url = "sqlite:///" + s.data_dir + "/poise.db";
  }
  if (auto v = get("REDIS_URL")) s.redis_url = *v;
  if (auto v = get("REDIS_PASSWORD")) s.redis_password = *v;
  if (auto v = get("ACCESS_TOKEN_EXPIRE_MINUTES")) {
    if (!parseNumber(*v, s.access_token_expire_minutes) || s.access_token_expire_minutes <= 0) {
      return bad("ACCESS_TOKEN_EXPIRE_MINUTES", "expected a positive whole number");
    }
  }
  if (auto v = get("LOG_LEVEL")) {
    // spdlog turns a name it does not know into "off", which would silence every line.
    std::string level = *v;
    std::transform(level.begin(), level.end(), level.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (level == "warning") level = "warn";
    constexpr std::array<std::string_view, 7> kLevels = {"trace", "debug",    "info", "warn",
                                                         "error", "critical", "off"};
    if (std::find(kLevels.begin(), kLevels.end(), level) == kLevels.end()) {
      return bad("LOG_LEVEL", "unknown level \"" + *v +
                                  "\"; expected one of trace, debug, info, warn (or warning), "
                                  "error, critical, off");
    }
    s.log_level = level;
  }
  if (auto v = get("MAX_REQUEST_SIZE")) {
    if (!parseNumber(*v, s.max_request_size) || s.max_request_size == 0) {
      return bad("MAX_REQUEST_SIZE", "expected a positive number of bytes");
    }
  }
  if (auto v = get("REQUEST_TIMEOUT")) {
    if (!parseNumber(*v, s.request_timeout_seconds) || s.request_timeout_seconds <= 0) {
      return bad("REQUEST_TIMEOUT", "expected a positive number of seconds");
    }
  }
  if (auto v = get("POISE_HEADER_TIMEOUT_SECONDS")) {
    if (!parseNumber(*v, s.header_timeout_seconds) || s.header_timeout_seconds <= 0) {
      return bad("POISE_HEADER_TIMEOUT_SECONDS", "expected a positive number of seconds");
    }
  }
  if (auto v = get("POOL_SIZE")) {
    if (!parseNumber(*v, s.pool_size) || s.pool_size <= 0) {
      return bad("POOL_SIZE", "expected a positive whole number");
    }
  }
  if (auto v = get("POISE_ADMIN_USERNAME"); v && !v->empty()) s.admin_username = *v;
  if (auto v = get("POISE_ADMIN_PASSWORD"); v && !v->empty()) s.admin_password = *v;
  if (auto v = get("POISE_API_TOKEN"); v && !v->empty()) s.api_token = *v;
  if (auto v = get("POISE_UPSTREAM_URL"); v && !v->empty()) {
    s.upstream_url = *v;
    s.upstream_url_given = true;
  }
  if (auto v = get("POISE_SECRET_KEY"); v && !v->empty()) s.secret_key = *v;
  if (auto v = get("POISE_WORKERS")) {
    if (!parseNumber(*v, s.workers) || s.workers == 0 || s.workers > 256) {
      return bad("POISE_WORKERS", "expected 1..256");
    }
  }
  if (auto v = get("POISE_MAX_CONNECTIONS")) {
    if (!parseNumber(*v, s.max_connections) || s.max_connections == 0) {
      return bad("POISE_MAX_CONNECTIONS", "expected a positive whole number");
    }
  }
  if (auto v = get("POISE_MAX_CONNECTIONS_PER_IP")) {
    if (!parseNumber(*v, s.max_connections_per_ip)) {
      return bad("POISE_MAX_CONNECTIONS_PER_IP", "expected a whole number (0 turns the cap off)");
    }
  }
  if (auto v = get("POISE_TRUSTED_PROXIES")) s.trusted_proxies = trim(*v);
  if (auto v = get("POISE_SHUTDOWN_GRACE_SECONDS")) {
    if (!parseNumber(*v, s.shutdown_grace_seconds) || s.shutdown_grace_seconds < 0) {
      return bad("POISE_SHUTDOWN_GRACE_SECONDS", "expected a whole number of seconds");
    }
  }
  for (auto [name, field] :
       {std::pair{"POISE_ACCESS_LOG", &Settings::access_log},
        std::pair{"POISE_REQUEST_LOG", &Settings::request_log},
        std::pair{"POISE_METRICS", &Settings::metrics},
        std::pair{"POISE_METRICS_KEY_LABELS", &Settings::metrics_key_labels},
        std::pair{"POISE_ALERTS_ALLOW_PRIVATE", &Settings::alerts_allow_private},
        std::pair{"POISE_CONSOLE", &Settings::console}}) {
    auto v = get(name);
    if (!v) continue;
    auto on = parseSwitch(*v);
    if (!on) return bad(name, "expected on or off");
    s.*field = *on;
  }
  if (auto v = get("POISE_METRICS_TOKEN"); v && !v->empty()) s.metrics_token = *v;
  if (auto st = readRequestLogSettings(get, s); !st) return st.error();
  if (auto v = get("LOG_FORMAT")) {
    std::string format = *v;
    std::transform(format.begin(), format.end(), format.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (format != "text" && format != "json") return bad("LOG_FORMAT", "expected text or json");
    s.log_json = format == "json";
  }
  return s;
}

Result<Settings> loadSettings(const FlagValues& flags) {
  std::map<std::string, std::string> dot_env;
  std::ifstream in(".env");
  if (in) {
    std::stringstream ss;
    ss << in.rdbuf();
    auto parsed = parseDotEnv(ss.str());
    if (!parsed) return parsed.error();
    dot_env = std::move(*parsed);
  }
  return resolveSettings(flags, processEnv(), dot_env, std::thread::hardware_concurrency());
}

}  // namespace poise::config
