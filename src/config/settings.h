// Settings: the start-up configuration of one process, resolved once from command-line flags,
// then the environment, then a `.env` file in the working directory, then defaults (SPEC §1.1).
// Immutable after loading; safe to share between threads.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "core/result.h"

namespace poise::config {

struct Settings {
  std::string listen_host = "0.0.0.0";
  unsigned short listen_port = 8100;
  std::string data_dir = "./data";
  std::string database_url;  // resolved: never empty after load
  std::string redis_url;     // empty: in-process state
  std::string redis_password;
  int access_token_expire_minutes = 60;
  std::string log_level = "info";
  std::size_t max_request_size = std::size_t{10} * 1024 * 1024;
  int request_timeout_seconds = 60;  // reading one whole client request, from its first byte
  int header_timeout_seconds = 10;   // reading its head (POISE_HEADER_TIMEOUT_SECONDS)
  int pool_size = 20;                // database connections
  std::string admin_username = "admin";
  std::optional<std::string> admin_password;
  std::optional<std::string> api_token;
  std::string upstream_url = "https://generativelanguage.googleapis.com";
  bool upstream_url_given = false;  // POISE_UPSTREAM_URL was set (not the default)
  std::optional<std::string> secret_key;
  unsigned workers = 1;
  std::size_t max_connections = 10000;
  std::size_t max_connections_per_ip = 0;  // 0: no per-address cap
  // POISE_TRUSTED_PROXIES as given: comma-separated addresses and CIDR blocks (net::AddressRanges
  // parses and checks them); exempt from the per-address cap.
  std::string trusted_proxies;
  int shutdown_grace_seconds = 20;
  bool access_log = true;   // one info line per request (POISE_ACCESS_LOG)
  bool request_log = true;  // one request_logs row per request (POISE_REQUEST_LOG)
  // The request log writer: rows queued at most (POISE_REQUEST_LOG_QUEUE), rows per batch
  // (POISE_REQUEST_LOG_BATCH), how long a partial batch waits (POISE_REQUEST_LOG_INTERVAL_MS),
  // and how often retention prunes (POISE_REQUEST_LOG_PRUNE_SECONDS).
  std::size_t request_log_queue = 32768;
  std::size_t request_log_batch = 5000;
  int request_log_interval_ms = 200;
  int request_log_prune_seconds = 300;
  bool log_json = false;  // LOG_FORMAT=json: one JSON object per log line
  bool metrics = false;   // GET /metrics answers (POISE_METRICS); 404 when off
  // Per-key and per-token series on /metrics (POISE_METRICS_KEY_LABELS); ids only.
  bool metrics_key_labels = false;
  // When set, /metrics wants `Authorization: Bearer <it>` (POISE_METRICS_TOKEN).
  std::optional<std::string> metrics_token;
  // The web console at / (POISE_CONSOLE); off: / and the console's pages and files answer 404.
  bool console = true;
  // Alert webhooks may target loopback and private addresses (POISE_ALERTS_ALLOW_PRIVATE).
  bool alerts_allow_private = false;
};

// Values given on the command line, by variable name (e.g. "POISE_LISTEN" for --listen).
using FlagValues = std::map<std::string, std::string>;
// Reads one environment variable; returns nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// The process environment.
EnvLookup processEnv();

// Parses a .env file's text: KEY=VALUE lines, `#` comments, optional `export `, single or double
// quotes. Malformed lines are reported as errors with their line number.
Result<std::map<std::string, std::string>> parseDotEnv(std::string_view text);

// Resolves settings with the precedence flags > env > dot_env > defaults. `cores` is the default
// worker count.
Result<Settings> resolveSettings(const FlagValues& flags, const EnvLookup& env,
                                 const std::map<std::string, std::string>& dot_env, unsigned cores);

// Convenience for main(): reads ./.env when present and the process environment.
Result<Settings> loadSettings(const FlagValues& flags);

}  // namespace poise::config
