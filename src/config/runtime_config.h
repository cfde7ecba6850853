// RuntimeConfig: the database-backed settings (table `config`) that take effect at once, without a
// restart. RuntimeConfigStore publishes immutable snapshots: readers on any thread take
// snapshot() (a shared_ptr copy under a mutex held for nanoseconds), writers call publish() after
// the database write.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/digest.h"
#include "core/result.h"
#include "keys/error_policy.h"
#include "keys/key_selector.h"
#include "keys/pool_settings.h"
#include "keys/token_bucket.h"

namespace poise::config {

// The most request_log_body_capture_kb accepts: bodies are for debugging, not archiving.
inline constexpr int kMaxBodyCaptureKb = 64;

struct RuntimeConfig {
  std::map<std::string, std::string> raw;  // every stored key, as strings

  // Upstream.
  std::string target_api_url;  // as configured
  bool upstream_tls = true;    // parsed from target_api_url
  std::string upstream_host;
  std::string upstream_port;
  std::string upstream_base_path;  // path prefix before the API version, without '/v1beta'
  std::string api_token;           // the seed's single gateway token; empty = none
  Sha256 api_token_digest{};       // sha256(api_token), so a request hashes only its own token

  // Proxy behaviour.
  int proxy_retry_max_count = 3;
  int proxy_retry_backoff_ms = 100;  // first backoff for transient failures; doubles, jittered
  int key_cooldown_default_seconds = 60;
  int upstream_connect_timeout_seconds = 10;
  int upstream_first_byte_timeout_seconds = 300;
  int upstream_idle_timeout_seconds = 120;
  int upstream_total_timeout_seconds = 600;
  // A relayed stream silent upstream for this long gets a keep-alive (an SSE comment, or an
  // Anthropic ping), and again after each further interval of silence; 0 = off.
  int stream_keepalive_seconds = 15;

  // Key validation (the seed's keys; the jobs use them).
  int key_validation_max_failed_count = 3;
  int key_validation_active_interval_seconds = 600;
  int key_validation_exhausted_interval_seconds = 1800;
  int key_validation_error_interval_seconds = 86400;
  int key_validation_timeout_seconds = 10;
  int key_validation_concurrent_count = 5;
  std::string key_validation_model_name = "gemini-2.5-flash";
  // "generate": a 1-token generateContent on key_validation_model_name (like the seed);
  // "models": a free GET models call (proves the key, not its quota).
  std::string key_validation_method = "generate";

  // Key selection and retirement (SPEC §2).
  keys::SelectionStrategy key_selection_strategy = keys::SelectionStrategy::Weighted;
  keys::BucketConfig token_bucket;  // the 18 token_bucket_* keys
  // A key whose every attempt for this long was a 429 (at least key_exhausted_min_429s of them)
  // becomes `exhausted`; 0 turns the rule off.
  int key_exhausted_window_seconds = 900;
  int key_exhausted_min_429s = 3;
  // Which upstream errors count, and how (JSON; see keys/error_policy.h). Empty = defaults.
  std::string key_error_actions;
  keys::ErrorPolicy error_policy;

  // Survival statistics: a snapshot of key counts by status every interval; raw rows are kept
  // for key_survival_raw_retention_hours, then folded into hourly rows, kept for
  // key_survival_hourly_retention_days, then into daily rows (kept for good).
  int key_survival_snapshot_interval_seconds = 60;
  int key_survival_raw_retention_hours = 48;
  int key_survival_hourly_retention_days = 30;

  // Request logs (table request_logs): rows older than request_log_retention_days, and beyond the
  // newest request_log_max_rows, are pruned every few minutes (0 = no limit). With
  // request_log_body_capture_kb > 0 each row keeps the first that many KiB of the request and
  // response bodies, scrubbed of keys and tokens (0 = off).
  int request_log_retention_days = 30;
  int request_log_max_rows = 5'000'000;
  int request_log_body_capture_kb = 0;

  // Translation (OpenAI and Anthropic routes).
  // model_aliases: a JSON object of client-facing model name → Gemini model, used by every
  // protocol and listed by GET /v1/models.
  std::map<std::string, std::string, std::less<>> model_aliases;
  // Gemini models for claude-* names without an alias, by family.
  std::string anthropic_model_opus = "gemini-2.5-pro";
  std::string anthropic_model_sonnet = "gemini-2.5-pro";
  std::string anthropic_model_haiku = "gemini-2.5-flash";
  std::string anthropic_model_default = "gemini-2.5-flash";
};

// The KeyPool's settings from a snapshot.
keys::PoolSettings poolSettingsOf(const RuntimeConfig& c);

// The keys seeded at first start, with their default values (target and token come from the
// environment and are added by the caller).
std::map<std::string, std::string> defaultConfigValues();

// Where the gateway itself listens, for validation: a target_api_url naming it would send every
// request back into the gateway.
struct ListenAddress {
  std::string host;  // as POISE_LISTEN gives it: "0.0.0.0", "127.0.0.1", "::", a name
  int port = 0;      // the bound port; 0 = unknown (not checked)
};

// The shortest gateway token (config api_token, POISE_API_TOKEN) accepted.
inline constexpr std::size_t kMinGatewayTokenLength = 16;

// Checks one key/value pair; known keys must parse and be in range. Unknown keys are allowed
// (stored and ignored, as in the seed). `self` is the gateway's own address (target_api_url).
Status validateConfigValue(const std::string& key, const std::string& value,
                           const ListenAddress& self = {});

// target_api_url: an http(s) URL (scheme in any case) with a host, a port 1–65535 and no
// credentials, query or fragment, that is not a link-local or cloud-metadata address, not an
// IPv4 address in a form other than dotted decimal, and not the gateway's own listen address.
// Loopback and private addresses are allowed (local relays). Error code "invalid_config".
Status validateTargetUrl(std::string_view url, const ListenAddress& self);

// Builds a snapshot from stored values; unparsable values fall back to defaults (they were
// validated on the way in, so this only matters for rows written by hand).
RuntimeConfig buildRuntimeConfig(std::map<std::string, std::string> raw);

// Parses config `model_aliases`: a JSON object whose values are non-empty strings. An empty
// value means no aliases.
Result<std::map<std::string, std::string, std::less<>>> parseModelAliases(std::string_view json);

// Trims blanks, lowercases the scheme ("HTTPS://" → "https://"), and accepts the seed's form
// ".../v1beta" or ".../v1", dropping the version suffix.
std::string normalizeTargetUrl(std::string url);

// Config keys whose values are secrets: encrypted at rest, masked in GET /api/v1/config.
const std::vector<std::string>& secretConfigKeys();
bool isSecretConfigKey(const std::string& key);
// True when `value` is the masked form of `secret` that GET /api/v1/config shows: a client
// saving the form back means "unchanged", never "replace the secret with this text".
bool echoesMaskedSecret(std::string_view value, std::string_view secret);

// A plain mutex rather than std::atomic<std::shared_ptr>: libstdc++ 12 implements that with a lock
// bit ThreadSanitizer cannot see, so every publish showed as a data race; the mutex costs about
// the same (one uncontended lock per snapshot) and is understood by every tool.
class RuntimeConfigStore {
 public:
  RuntimeConfigStore() : current_(std::make_shared<const RuntimeConfig>()) {}
  std::shared_ptr<const RuntimeConfig> snapshot() const {
    std::lock_guard lock(mu_);
    return current_;
  }
  void publish(std::map<std::string, std::string> raw) {
    auto next = std::make_shared<const RuntimeConfig>(buildRuntimeConfig(std::move(raw)));
    std::lock_guard lock(mu_);
    current_.swap(next);  // the old snapshot is released outside the lock, with `next`
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const RuntimeConfig> current_;
};

}  // namespace poise::config
