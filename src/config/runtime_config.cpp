#include "config/runtime_config.h"

#include <algorithm>
#include <array>
#include <boost/json/parse.hpp>
#include <boost/url/ipv4_address.hpp>
#include <boost/url/ipv6_address.hpp>
#include <boost/url/parse.hpp>
#include <cctype>
#include <charconv>
#include <functional>

#include "core/origin.h"
#include "core/secret_mask.h"
#include "core/upstream_address.h"
#include "keys/error_policy.h"

namespace poise::config {

namespace {

struct IntKey {
  const char* name;
  int RuntimeConfig::*field;
  int min;
  int max;
};

// Every integer key, its range and where it lands. Defaults come from RuntimeConfig's
// initialisers, so they are written once.
constexpr IntKey kIntKeys[] = {
    {"proxy_retry_max_count", &RuntimeConfig::proxy_retry_max_count, 0, 20},
    {"proxy_retry_backoff_ms", &RuntimeConfig::proxy_retry_backoff_ms, 0, 60'000},
    {"key_cooldown_default_seconds", &RuntimeConfig::key_cooldown_default_seconds, 1, 86'400},
    {"upstream_connect_timeout_seconds", &RuntimeConfig::upstream_connect_timeout_seconds, 1, 300},
    {"upstream_first_byte_timeout_seconds", &RuntimeConfig::upstream_first_byte_timeout_seconds, 1,
     3600},
    {"upstream_idle_timeout_seconds", &RuntimeConfig::upstream_idle_timeout_seconds, 1, 3600},
    {"upstream_total_timeout_seconds", &RuntimeConfig::upstream_total_timeout_seconds, 1, 7200},
    {"stream_keepalive_seconds", &RuntimeConfig::stream_keepalive_seconds, 0, 3600},
    {"key_validation_max_failed_count", &RuntimeConfig::key_validation_max_failed_count, 0, 1000},
    {"key_validation_active_interval_seconds",
     &RuntimeConfig::key_validation_active_interval_seconds, 0, 30 * 86'400},
    {"key_validation_exhausted_interval_seconds",
     &RuntimeConfig::key_validation_exhausted_interval_seconds, 0, 30 * 86'400},
    {"key_validation_error_interval_seconds", &RuntimeConfig::key_validation_error_interval_seconds,
     0, 30 * 86'400},
    {"key_validation_timeout_seconds", &RuntimeConfig::key_validation_timeout_seconds, 1, 600},
    {"key_validation_concurrent_count", &RuntimeConfig::key_validation_concurrent_count, 1, 50},
    {"key_exhausted_window_seconds", &RuntimeConfig::key_exhausted_window_seconds, 0, 7 * 86'400},
    {"key_exhausted_min_429s", &RuntimeConfig::key_exhausted_min_429s, 1, 10'000},
    {"key_survival_snapshot_interval_seconds",
     &RuntimeConfig::key_survival_snapshot_interval_seconds, 1, 3600},
    {"key_survival_raw_retention_hours", &RuntimeConfig::key_survival_raw_retention_hours, 1, 720},
    {"key_survival_hourly_retention_days", &RuntimeConfig::key_survival_hourly_retention_days, 1,
     3650},
    {"request_log_retention_days", &RuntimeConfig::request_log_retention_days, 0, 3650},
    {"request_log_max_rows", &RuntimeConfig::request_log_max_rows, 0, 1'000'000'000},
    {"request_log_body_capture_kb", &RuntimeConfig::request_log_body_capture_kb, 0,
     kMaxBodyCaptureKb},
};

constexpr std::string_view kBucketPrefix = "token_bucket_";

bool parseInt(const std::string& s, int& out) {
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc{} && r.ptr == s.data() + s.size();
}

}  // namespace

keys::PoolSettings poolSettingsOf(const RuntimeConfig& c) {
  keys::PoolSettings p;
  p.strategy = c.key_selection_strategy;
  p.buckets = c.token_bucket;
  p.exhausted_window = std::chrono::seconds(c.key_exhausted_window_seconds);
  p.exhausted_min_429s = c.key_exhausted_min_429s;
  p.max_failed_count = c.key_validation_max_failed_count;
  return p;
}

std::map<std::string, std::string> defaultConfigValues() {
  const RuntimeConfig d;
  std::map<std::string, std::string> out;
  for (const auto& k : kIntKeys) out[k.name] = std::to_string(d.*(k.field));
  out["key_validation_model_name"] = d.key_validation_model_name;
  out["key_validation_method"] = d.key_validation_method;
  out["key_selection_strategy"] = std::string(keys::toString(d.key_selection_strategy));
  for (const auto& b : keys::bucketSettings()) {
    out[std::string(kBucketPrefix) + b.name] = keys::bucketSettingText(d.token_bucket, b);
  }
  out["model_aliases"] = "{}";
  out["anthropic_model_opus"] = d.anthropic_model_opus;
  out["anthropic_model_sonnet"] = d.anthropic_model_sonnet;
  out["anthropic_model_haiku"] = d.anthropic_model_haiku;
  out["anthropic_model_default"] = d.anthropic_model_default;
  return out;
}

std::string normalizeTargetUrl(std::string url) {
  const auto first = url.find_first_not_of(" \t\r\n");
  url.erase(0, first == std::string::npos ? url.size() : first);
  while (!url.empty() &&
         (url.back() == ' ' || url.back() == '\t' || url.back() == '\r' || url.back() == '\n')) {
    url.pop_back();
  }
  if (const auto colon = url.find("://"); colon != std::string::npos) {
    for (std::size_t i = 0; i < colon; ++i) {
      url[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(url[i])));
    }
  }
  while (!url.empty() && url.back() == '/') url.pop_back();
  for (std::string_view suffix : {"/v1beta", "/v1alpha", "/v1"}) {
    if (url.size() > suffix.size() &&
        url.compare(url.size() - suffix.size(), suffix.size(), suffix) == 0) {
      url.resize(url.size() - suffix.size());
      break;
    }
  }
  return url;
}

Result<std::map<std::string, std::string, std::less<>>> parseModelAliases(std::string_view text) {
  std::map<std::string, std::string, std::less<>> out;
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) return out;
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) {
    return makeError(ErrorCode::InvalidConfig,
                     "model_aliases must be a JSON object of model name to Gemini model");
  }
  for (const auto& [name, target] : v.as_object()) {
    if (name.empty() || !target.is_string() || target.as_string().empty()) {
      return makeError(ErrorCode::InvalidConfig,
                       "model_aliases: every alias needs a non-empty name and Gemini model");
    }
    out.emplace(std::string(name), std::string(target.as_string()));
  }
  return out;
}

const std::vector<std::string>& secretConfigKeys() {
  static const std::vector<std::string> keys = {"api_token"};
  return keys;
}

bool isSecretConfigKey(const std::string& key) {
  const auto& keys = secretConfigKeys();
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

bool echoesMaskedSecret(std::string_view value, std::string_view secret) {
  return !secret.empty() && value == maskSecret(secret);
}

namespace {

Status badTarget(std::string_view why) {
  return makeError(ErrorCode::InvalidConfig, "target_api_url " + std::string(why));
}

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

using V4 = std::array<unsigned char, 4>;

// Where clouds answer with instance credentials (GCP, AWS, Azure and OCI use 169.254.169.254,
// inside the link-local range; these are the others).
constexpr std::array<std::string_view, 5> kMetadataNames = {
    "metadata.google.internal", "metadata.goog", "metadata", "instance-data",
    "instance-data.ec2.internal"};
Status checkV4(const V4& b) {
  if (auto why = forbiddenUpstreamV4(b)) return badTarget("must not be " + std::string(*why));
  return {};
}

Status checkV6(const std::array<unsigned char, 16>& b) {
  if (auto why = forbiddenUpstreamV6(b)) return badTarget("must not be " + std::string(*why));
  return {};
}

// The loopback and wildcard forms of "this machine".
bool isLocalHost(std::string_view host) {
  const std::string h = lowercase(host);
  if (h == "localhost" || h.ends_with(".localhost") || h == "0.0.0.0" || h == "::" || h == "::1" ||
      h == "[::]" || h == "[::1]" || h.empty()) {
    return true;
  }
  auto v4 = boost::urls::parse_ipv4_address(h);
  return v4 && v4->to_bytes()[0] == 127;
}

bool namesSelf(std::string_view host, int port, const ListenAddress& self) {
  if (self.port <= 0 || port != self.port) return false;
  std::string listen = lowercase(self.host);
  if (listen.size() > 2 && listen.front() == '[' && listen.back() == ']') {
    listen = listen.substr(1, listen.size() - 2);
  }
  return lowercase(host) == listen || (isLocalHost(host) && isLocalHost(listen));
}

}  // namespace

Status validateTargetUrl(std::string_view raw, const ListenAddress& self) {
  const std::string url = normalizeTargetUrl(std::string(raw));
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return badTarget("must be an absolute http(s) URL such as https://host[:port]");
  const auto& u = *parsed;
  if (u.scheme() != "http" && u.scheme() != "https") {
    return badTarget("must use http or https");
  }
  if (u.has_userinfo()) return badTarget("must not carry credentials (user:password@)");
  if (u.has_query() || u.has_fragment()) return badTarget("must not have a query or a fragment");
  int port = u.scheme() == "https" ? 443 : 80;
  if (u.has_port()) {
    const std::string_view p = u.port();
    auto r = std::from_chars(p.data(), p.data() + p.size(), port);
    if (p.empty() || r.ec != std::errc{} || r.ptr != p.data() + p.size() || port < 1 ||
        port > 65535) {
      return badTarget("must have a port between 1 and 65535");
    }
  }
  std::string host;
  switch (u.host_type()) {
    case boost::urls::host_type::ipv4:
      if (auto st = checkV4(u.host_ipv4_address().to_bytes()); !st) return st;
      host = u.host_ipv4_address().to_string();
      break;
    case boost::urls::host_type::ipv6:
      if (auto st = checkV6(u.host_ipv6_address().to_bytes()); !st) return st;
      host = u.host_ipv6_address().to_string();
      break;
    case boost::urls::host_type::name: {
      host = lowercase(u.host_name());
      while (!host.empty() && host.back() == '.') host.pop_back();
      if (host.empty()) return badTarget("must name a host");
      if (std::find(kMetadataNames.begin(), kMetadataNames.end(), host) != kMetadataNames.end()) {
        return badTarget("must not be a cloud metadata address");
      }
      // No top-level domain starts with a digit: this is an address in one of the forms the
      // resolver also accepts ("2852039166", "0xa9.0xfe.0xa9.0xfe", "169.254.169.254.").
      const auto last = host.rfind('.');
      const char lead = host[last == std::string::npos ? 0 : last + 1];
      if (std::isdigit(static_cast<unsigned char>(lead))) {
        auto v4 = boost::urls::parse_ipv4_address(host);
        if (!v4) return badTarget("must write an IPv4 address in dotted decimal (a.b.c.d)");
        if (auto st = checkV4(v4->to_bytes()); !st) return st;
      }
      break;
    }
    default:
      return badTarget("must name a host");
  }
  if (namesSelf(host, port, self)) {
    return badTarget("must not be the gateway's own address (" + self.host + ":" +
                     std::to_string(self.port) + "): requests would loop back into it");
  }
  if (auto origin = parseOriginUrl(url); !origin) {
    return badTarget("is not valid: " + origin.error().message);
  }
  return {};
}

Status validateConfigValue(const std::string& key, const std::string& value,
                           const ListenAddress& self) {
  for (const auto& k : kIntKeys) {
    if (key != k.name) continue;
    int v = 0;
    if (!parseInt(value, v))
      return makeError(ErrorCode::InvalidConfig, key + " must be a whole number");
    if (v < k.min || v > k.max) {
      return makeError(ErrorCode::InvalidConfig, key + " must be between " + std::to_string(k.min) +
                                                     " and " + std::to_string(k.max));
    }
    return {};
  }
  if (key == "target_api_url") return validateTargetUrl(value, self);
  if (key == "api_token") {
    if (value.size() < kMinGatewayTokenLength || value.size() > 512) {
      return makeError(ErrorCode::InvalidConfig, "api_token must have 16 to 512 characters");
    }
    if (!std::all_of(value.begin(), value.end(), [](char c) { return c > 0x20 && c < 0x7f; })) {
      return makeError(ErrorCode::InvalidConfig,
                       "api_token must be printable ASCII without spaces (it travels in headers)");
    }
    if (value.find("...") != std::string::npos) {
      return makeError(ErrorCode::InvalidConfig,
                       "api_token looks like a masked value (it contains \"...\"); send the whole "
                       "token, or the masked form shown by GET /api/v1/config to keep it");
    }
    return {};
  }
  if ((key == "key_validation_model_name" || key.starts_with("anthropic_model_")) &&
      value.empty()) {
    return makeError(ErrorCode::InvalidConfig, key + " must not be empty");
  }
  if (key == "model_aliases") {
    if (auto parsed = parseModelAliases(value); !parsed) return parsed.error();
  }
  if (key == "key_validation_method" && value != "generate" && value != "models") {
    return makeError(ErrorCode::InvalidConfig, "key_validation_method must be generate or models");
  }
  if (key == "key_selection_strategy" && !keys::parseSelectionStrategy(value)) {
    return makeError(ErrorCode::InvalidConfig,
                     "key_selection_strategy must be weighted, random, round_robin or "
                     "least_recently_used");
  }
  if (key.starts_with(kBucketPrefix)) {
    if (const auto* b =
            keys::findBucketSetting(std::string_view(key).substr(kBucketPrefix.size()))) {
      keys::BucketConfig scratch;
      if (auto st = keys::applyBucketSetting(scratch, *b, value); !st) return st;
    }
  }
  if (key == "key_error_actions") {
    if (auto parsed = keys::parseErrorPolicy(value); !parsed) return parsed.error();
  }
  if (key.empty() || key.size() > 128) {
    return makeError(ErrorCode::InvalidConfig, "config keys are 1 to 128 characters");
  }
  return {};
}

RuntimeConfig buildRuntimeConfig(std::map<std::string, std::string> raw) {
  RuntimeConfig c;
  for (const auto& k : kIntKeys) {
    auto it = raw.find(k.name);
    int v = 0;
    if (it != raw.end() && parseInt(it->second, v) && v >= k.min && v <= k.max) c.*(k.field) = v;
  }
  if (auto it = raw.find("key_validation_model_name"); it != raw.end() && !it->second.empty()) {
    c.key_validation_model_name = it->second;
  }
  if (auto it = raw.find("model_aliases"); it != raw.end()) {
    if (auto parsed = parseModelAliases(it->second)) c.model_aliases = std::move(*parsed);
  }
  if (auto it = raw.find("key_validation_method");
      it != raw.end() && (it->second == "generate" || it->second == "models")) {
    c.key_validation_method = it->second;
  }
  if (auto it = raw.find("key_selection_strategy"); it != raw.end()) {
    if (auto parsed = keys::parseSelectionStrategy(it->second)) c.key_selection_strategy = *parsed;
  }
  for (const auto& b : keys::bucketSettings()) {
    if (auto it = raw.find(std::string(kBucketPrefix) + b.name); it != raw.end()) {
      (void)keys::applyBucketSetting(c.token_bucket, b, it->second);  // invalid → default kept
    }
  }
  if (auto it = raw.find("key_error_actions"); it != raw.end()) {
    if (auto parsed = keys::parseErrorPolicy(it->second)) {
      c.key_error_actions = it->second;
      c.error_policy = std::move(*parsed);
    }
  }
  const std::pair<const char*, std::string RuntimeConfig::*> anthropic[] = {
      {"anthropic_model_opus", &RuntimeConfig::anthropic_model_opus},
      {"anthropic_model_sonnet", &RuntimeConfig::anthropic_model_sonnet},
      {"anthropic_model_haiku", &RuntimeConfig::anthropic_model_haiku},
      {"anthropic_model_default", &RuntimeConfig::anthropic_model_default}};
  for (const auto& [name, field] : anthropic) {
    if (auto it = raw.find(name); it != raw.end() && !it->second.empty()) c.*field = it->second;
  }
  if (auto it = raw.find("api_token"); it != raw.end()) {
    c.api_token = it->second;
    c.api_token_digest = sha256(c.api_token);
  }
  if (auto it = raw.find("target_api_url"); it != raw.end()) {
    c.target_api_url = it->second;
    if (auto parsed = parseOriginUrl(normalizeTargetUrl(it->second))) {
      c.upstream_tls = parsed->first.tls;
      c.upstream_host = parsed->first.host;
      c.upstream_port = parsed->first.port;
      c.upstream_base_path = parsed->second;
    }
  }
  c.raw = std::move(raw);
  return c;
}

}  // namespace poise::config
