#include "config/settings.h"

#include <gtest/gtest.h>

namespace poise::config {
namespace {

EnvLookup envOf(std::map<std::string, std::string> m) {
  return [m](const std::string& k) -> std::optional<std::string> {
    if (auto it = m.find(k); it != m.end()) return it->second;
    return std::nullopt;
  };
}

TEST(Settings, FlagsBeatEnvBeatDotEnvBeatDefaults) {
  auto s = resolveSettings({{"POISE_LISTEN", "127.0.0.1:9000"}},
                           envOf({{"POISE_LISTEN", "127.0.0.1:9001"}, {"LOG_LEVEL", "debug"}}),
                           {{"LOG_LEVEL", "warn"}, {"POOL_SIZE", "7"}, {"POISE_LISTEN", "x:1"}}, 4);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->listen_host, "127.0.0.1");
  EXPECT_EQ(s->listen_port, 9000);
  EXPECT_EQ(s->log_level, "debug");
  EXPECT_EQ(s->pool_size, 7);
  EXPECT_EQ(s->workers, 4u);
  EXPECT_EQ(s->max_request_size, 10u * 1024 * 1024);
}

TEST(Settings, DefaultDatabaseLivesInDataDir) {
  auto rel = resolveSettings({}, envOf({{"POISE_DATA_DIR", "var"}}), {}, 1);
  ASSERT_TRUE(rel);
  EXPECT_EQ(rel->database_url, "sqlite:///var/poise.db");
  auto abs = resolveSettings({}, envOf({{"POISE_DATA_DIR", "/srv/poise"}}), {}, 1);
  ASSERT_TRUE(abs);
  EXPECT_EQ(abs->database_url, "sqlite:////srv/poise/poise.db");
}

TEST(Settings, RejectsBadNumbers) {
  EXPECT_FALSE(resolveSettings({}, envOf({{"MAX_REQUEST_SIZE", "ten"}}), {}, 1));
  EXPECT_FALSE(resolveSettings({}, envOf({{"POISE_LISTEN", "nohost"}}), {}, 1));
  EXPECT_FALSE(resolveSettings({}, envOf({{"POISE_WORKERS", "0"}}), {}, 1));
}

TEST(Settings, LogLevelMustBeAKnownName) {
  // A typo used to turn every log line off (spdlog maps unknown names to "off").
  auto typo = resolveSettings({}, envOf({{"LOG_LEVEL", "inof"}}), {}, 1);
  ASSERT_FALSE(typo);
  EXPECT_EQ(typo.error().code, ErrorCode::InvalidSetting);
  EXPECT_NE(typo.error().message.find("LOG_LEVEL"), std::string::npos);
  EXPECT_NE(typo.error().message.find("\"inof\""), std::string::npos);
  EXPECT_NE(typo.error().message.find("trace, debug, info, warn"), std::string::npos);
  EXPECT_FALSE(resolveSettings({{"LOG_LEVEL", ""}}, envOf({}), {}, 1));
  EXPECT_FALSE(resolveSettings({}, envOf({}), {{"LOG_LEVEL", "verbose"}}, 1));
  for (const auto& [given, level] :
       std::vector<std::pair<std::string, std::string>>{{"trace", "trace"},
                                                        {"DEBUG", "debug"},
                                                        {"Info", "info"},
                                                        {"warn", "warn"},
                                                        {"WARNING", "warn"},
                                                        {"error", "error"},
                                                        {"critical", "critical"},
                                                        {"off", "off"}}) {
    auto s = resolveSettings({}, envOf({{"LOG_LEVEL", given}}), {}, 1);
    ASSERT_TRUE(s) << given;
    EXPECT_EQ(s->log_level, level) << given;
  }
}

TEST(Settings, MetricsAreOffUnlessTurnedOnAndTakeAToken) {
  auto defaults = resolveSettings({}, envOf({}), {}, 1);
  ASSERT_TRUE(defaults);
  EXPECT_FALSE(defaults->metrics);
  EXPECT_FALSE(defaults->metrics_token);
  EXPECT_FALSE(defaults->metrics_key_labels);
  auto on =
      resolveSettings({}, envOf({{"POISE_METRICS", "On"}, {"POISE_METRICS_TOKEN", "t0k"}}), {}, 1);
  ASSERT_TRUE(on);
  EXPECT_TRUE(on->metrics);
  EXPECT_EQ(on->metrics_token, "t0k");
  auto labels = resolveSettings({}, envOf({{"POISE_METRICS_KEY_LABELS", "on"}}), {}, 1);
  ASSERT_TRUE(labels);
  EXPECT_TRUE(labels->metrics_key_labels);
  auto typo = resolveSettings({}, envOf({{"POISE_METRICS", "yes"}}), {}, 1);
  ASSERT_FALSE(typo);
  EXPECT_NE(typo.error().message.find("POISE_METRICS"), std::string::npos);
}

// On/off switches: their default, both values, and a typo refused with the variable's name.
// POISE_ALERTS_ALLOW_PRIVATE: private alert targets are refused unless allowed; POISE_CONSOLE: the
// web console is served unless turned off.
TEST(Settings, SwitchesHaveTheirDefaultAndTakeOnAndOff) {
  struct Switch {
    const char* name;
    bool Settings::*field;
    bool by_default;
  };
  for (const Switch& sw :
       {Switch{"POISE_ALERTS_ALLOW_PRIVATE", &Settings::alerts_allow_private, false},
        Switch{"POISE_CONSOLE", &Settings::console, true}}) {
    auto defaults = resolveSettings({}, envOf({}), {}, 1);
    ASSERT_TRUE(defaults);
    EXPECT_EQ((*defaults).*sw.field, sw.by_default) << sw.name;
    for (const bool value : {true, false}) {
      auto s = resolveSettings({}, envOf({{sw.name, value ? "on" : "off"}}), {}, 1);
      ASSERT_TRUE(s) << sw.name;
      EXPECT_EQ((*s).*sw.field, value) << sw.name;
    }
    auto typo = resolveSettings({}, envOf({{sw.name, "maybe"}}), {}, 1);
    ASSERT_FALSE(typo) << sw.name;
    EXPECT_NE(typo.error().message.find(sw.name), std::string::npos);
  }
}

TEST(Settings, AccessLogAndRequestLogAreOnUnlessTurnedOff) {
  auto defaults = resolveSettings({}, envOf({}), {}, 1);
  ASSERT_TRUE(defaults);
  EXPECT_TRUE(defaults->access_log);
  EXPECT_TRUE(defaults->request_log);
  for (const char* off : {"off", "OFF", "false", "0"}) {
    auto s = resolveSettings({}, envOf({{"POISE_ACCESS_LOG", off}}), {}, 1);
    ASSERT_TRUE(s);
    EXPECT_FALSE(s->access_log) << off;
    EXPECT_TRUE(s->request_log) << off;
    auto r = resolveSettings({}, envOf({{"POISE_REQUEST_LOG", off}}), {}, 1);
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->request_log) << off;
    EXPECT_TRUE(r->access_log) << off;
  }
  for (const char* name : {"POISE_ACCESS_LOG", "POISE_REQUEST_LOG"}) {
    auto typo = resolveSettings({}, envOf({{name, "no"}}), {}, 1);
    ASSERT_FALSE(typo);
    EXPECT_NE(typo.error().message.find(name), std::string::npos);
  }
}

TEST(Settings, RequestLogWriterSettingsAndLogFormatAreRanged) {
  const auto expect = [](const Result<Settings>& s, std::size_t queue, std::size_t batch,
                         int interval_ms, int prune_s, bool json) {
    ASSERT_TRUE(s);
    EXPECT_EQ(s->request_log_queue, queue);
    EXPECT_EQ(s->request_log_batch, batch);
    EXPECT_EQ(s->request_log_interval_ms, interval_ms);
    EXPECT_EQ(s->request_log_prune_seconds, prune_s);
    EXPECT_EQ(s->log_json, json);
  };
  expect(resolveSettings({}, envOf({}), {}, 1), 32768, 5000, 200, 300, false);
  expect(resolveSettings({},
                         envOf({{"POISE_REQUEST_LOG_QUEUE", "64"},
                                {"POISE_REQUEST_LOG_BATCH", "10"},
                                {"POISE_REQUEST_LOG_INTERVAL_MS", "50"},
                                {"POISE_REQUEST_LOG_PRUNE_SECONDS", "2"},
                                {"LOG_FORMAT", "JSON"}}),
                         {}, 1),
         64, 10, 50, 2, true);
  const std::pair<const char*, const char*> bad[] = {{"POISE_REQUEST_LOG_QUEUE", "0"},
                                                     {"POISE_REQUEST_LOG_QUEUE", "99999999"},
                                                     {"POISE_REQUEST_LOG_BATCH", "0"},
                                                     {"POISE_REQUEST_LOG_BATCH", "x"},
                                                     {"POISE_REQUEST_LOG_INTERVAL_MS", "5"},
                                                     {"POISE_REQUEST_LOG_PRUNE_SECONDS", "-1"},
                                                     {"LOG_FORMAT", "xml"}};
  for (const auto& [name, value] : bad) {
    auto r = resolveSettings({}, envOf({{name, value}}), {}, 1);
    ASSERT_FALSE(r) << name << "=" << value;
    EXPECT_NE(r.error().message.find(name), std::string::npos);
  }
}

TEST(Settings, ConnectionLimitsAndDeadlines) {
  auto d = resolveSettings({}, envOf({}), {}, 1);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->header_timeout_seconds, 10);
  EXPECT_EQ(d->request_timeout_seconds, 60);
  EXPECT_EQ(d->max_connections_per_ip, 0u) << "off by default: proxied clients share one address";
  EXPECT_EQ(d->trusted_proxies, "");
  auto s = resolveSettings({},
                           envOf({{"POISE_HEADER_TIMEOUT_SECONDS", "3"},
                                  {"POISE_MAX_CONNECTIONS_PER_IP", "40"},
                                  {"POISE_TRUSTED_PROXIES", " 10.0.0.0/8, ::1 "}}),
                           {{"POISE_MAX_CONNECTIONS_PER_IP", "7"}}, 1);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->header_timeout_seconds, 3);
  EXPECT_EQ(s->max_connections_per_ip, 40u);
  EXPECT_EQ(s->trusted_proxies, "10.0.0.0/8, ::1");
  EXPECT_FALSE(resolveSettings({}, envOf({{"POISE_HEADER_TIMEOUT_SECONDS", "0"}}), {}, 1));
  EXPECT_FALSE(resolveSettings({}, envOf({{"POISE_MAX_CONNECTIONS_PER_IP", "-1"}}), {}, 1));
  EXPECT_FALSE(resolveSettings({}, envOf({{"POISE_MAX_CONNECTIONS_PER_IP", "x"}}), {}, 1));
}

TEST(DotEnv, ParsesQuotesCommentsAndExport) {
  auto m = parseDotEnv("# comment\nexport A=1\nB=\"two words\"\nC='x#y'\nD=v # note\n\n");
  ASSERT_TRUE(m);
  EXPECT_EQ((*m)["A"], "1");
  EXPECT_EQ((*m)["B"], "two words");
  EXPECT_EQ((*m)["C"], "x#y");
  EXPECT_EQ((*m)["D"], "v");
  EXPECT_FALSE(parseDotEnv("JUSTTEXT\n"));
}

}  // namespace
}  // namespace poise::config
