#include "metrics/registry.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace poise::metrics {
namespace {

TEST(MetricsFormat, EscapesLabelValuesAndHelp) {
  EXPECT_EQ(escapeLabelValue(R"(a\b"c)"
                             "\n"
                             "d"),
            R"(a\\b\"c\nd)");
  EXPECT_EQ(escapeLabelValue("plain"), "plain");
  EXPECT_EQ(escapeHelp("one\\two\nthree \"q\""), "one\\\\two\\nthree \"q\"");
}

TEST(MetricsFormat, FormatsValues) {
  EXPECT_EQ(formatValue(3), "3");
  EXPECT_EQ(formatValue(0), "0");
  EXPECT_EQ(formatValue(0.25), "0.25");
  EXPECT_EQ(formatValue(1.0 / 0.0), "+Inf");
  EXPECT_EQ(formatValue(-1.0 / 0.0), "-Inf");
  EXPECT_EQ(formatValue(0.0 / 0.0), "NaN");
}

TEST(MetricsRegistry, RendersCountersAndGaugesWithHelpAndType) {
  Registry r;
  auto& requests = r.counter({.name = "poise_requests_total",
                              .help = "Requests.\nSecond line",
                              .labels = {"route", "model"}});
  requests.at({"/v1/x", "a\"b"}).add();
  requests.at({"/v1/x", "a\"b"}).add(2);
  requests.at({"/v1/y", "m"}).add();
  auto& up = r.gauge({.name = "poise_up", .help = "Up."});
  up.at({}).set(1);
  EXPECT_EQ(r.render(),
            "# HELP poise_requests_total Requests.\\nSecond line\n"
            "# TYPE poise_requests_total counter\n"
            "poise_requests_total{route=\"/v1/x\",model=\"a\\\"b\"} 3\n"
            "poise_requests_total{route=\"/v1/y\",model=\"m\"} 1\n"
            "# HELP poise_up Up.\n"
            "# TYPE poise_up gauge\n"
            "poise_up 1\n");
}

TEST(MetricsRegistry, RendersCumulativeHistogramBuckets) {
  Registry r;
  auto& latency = r.histogram({.name = "poise_latency_seconds",
                               .help = "Latency.",
                               .labels = {"route"},
                               .bounds = {0.1, 1}});
  auto& h = latency.at({"/a"});
  h.observe(0.05);
  h.observe(0.1);  // on a bound: counted in it (le is "less or equal")
  h.observe(0.5);
  h.observe(5);
  EXPECT_EQ(r.render(),
            "# HELP poise_latency_seconds Latency.\n"
            "# TYPE poise_latency_seconds histogram\n"
            "poise_latency_seconds_bucket{route=\"/a\",le=\"0.1\"} 2\n"
            "poise_latency_seconds_bucket{route=\"/a\",le=\"1\"} 3\n"
            "poise_latency_seconds_bucket{route=\"/a\",le=\"+Inf\"} 4\n"
            "poise_latency_seconds_sum{route=\"/a\"} 5.65\n"
            "poise_latency_seconds_count{route=\"/a\"} 4\n");
}

TEST(MetricsRegistry, CapsTheLabelSetsWithAnOverflowSeries) {
  Registry r;
  auto& f = r.counter({.name = "c_total", .help = "C.", .labels = {"model"}, .max_series = 3});
  for (int i = 0; i < 10; ++i) f.at({std::to_string(i)}).add();
  EXPECT_EQ(f.size(), 3u);
  EXPECT_EQ(f.at({"0"}).value(), 1);
  EXPECT_EQ(f.at({"1"}).value(), 1);
  EXPECT_EQ(f.at({"other"}).value(), 8);
  EXPECT_EQ(f.at({"new"}).value(), 8);  // still the overflow series
}

TEST(MetricsRegistry, CollectorsDropDuplicateSeries) {
  Registry r;
  r.collect({.name = "keys", .help = "Keys.", .labels = {"status"}}, [] {
    return std::vector<Sample>{{.labels = {"active"}, .value = 2},
                               {.labels = {"active"}, .value = 9},
                               {.labels = {"error"}, .value = 1}};
  });
  EXPECT_EQ(r.render(),
            "# HELP keys Keys.\n# TYPE keys gauge\nkeys{status=\"active\"} 2\n"
            "keys{status=\"error\"} 1\n");
}

TEST(MetricsRegistry, ConcurrentIncrementsAreAllCountedWhileScraped) {
  Registry r;
  auto& f = r.counter({.name = "c_total", .help = "C.", .labels = {"worker", "kind"}});
  auto& h = r.histogram({.name = "h", .help = "H.", .labels = {"kind"}, .bounds = {1, 2}});
  constexpr int kThreads = 4;
  constexpr int kEach = 20000;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string kind = t % 2 == 0 ? "even" : "odd";
      for (int i = 0; i < kEach; ++i) {
        f.at({"shared", kind}).add();
        f.at({std::to_string(i % 50), "spread"}).add();
        h.at({"all"}).observe(i % 3);
      }
    });
  }
  // A scrape while the series are created and counted.
  std::thread scraper([&] {
    for (int i = 0; i < 50; ++i) EXPECT_FALSE(r.render().empty());
  });
  for (auto& t : threads) t.join();
  scraper.join();
  EXPECT_EQ(f.at({"shared", "even"}).value() + f.at({"shared", "odd"}).value(), kThreads * kEach);
  double spread = 0;
  f.forEach([&](const std::vector<std::string>& v, const Counter& c) {
    if (v[1] == "spread") spread += c.value();
  });
  EXPECT_EQ(spread, kThreads * kEach);
  const auto snap = h.at({"all"}).snapshot();
  EXPECT_EQ(snap.cumulative.back(), static_cast<std::uint64_t>(kThreads * kEach));
}

}  // namespace
}  // namespace poise::metrics
