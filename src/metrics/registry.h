// Registry: counters, gauges and histograms with label sets, and their Prometheus text exposition
// (format 0.0.4). Families are declared at start-up with fixed label names; a series (one set of
// label values) is created at its first use and lives as long as the registry, so a caller may keep
// the reference. Each family holds at most `max_series` series: past the cap every new label set
// lands in one overflow series whose label values are all "other", so a client cannot grow the
// label space. Thread-safe: a series is a few relaxed atomics; finding one takes a shared lock
// (an exclusive one only to create it). Rendering takes each family's shared lock in turn.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace poise::metrics {

// Label values of one series, in the order of the family's label names.
using LabelValues = std::span<const std::string_view>;

// A monotonically rising count.
class Counter {
 public:
  void add(double v = 1) { value_.fetch_add(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// A value that goes up and down.
class Gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void add(double v) { value_.fetch_add(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Observations counted into fixed buckets (upper bounds, ascending; +Inf is implied). Each bucket
// holds its own count; the exposition makes them cumulative. A concurrent scrape may see a sum
// and counts a few observations apart, which Prometheus tolerates.
class Histogram {
 public:
  explicit Histogram(std::span<const double> bounds);
  void observe(double v);
  struct Snapshot {
    std::vector<std::uint64_t> cumulative;  // one per bound, then +Inf (== count)
    double sum = 0;
  };
  Snapshot snapshot() const;

 private:
  std::span<const double> bounds_;                         // owned by the family
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // bounds_.size() + 1 (the +Inf one)
  std::atomic<double> sum_{0};
};

enum class Type { Counter, Gauge, Histogram };

// One family: a metric name, its help, its label names and its series.
template <class Series>
class Family {
 public:
  struct Options {
    std::string name;
    std::string help;
    std::vector<std::string> labels;
    std::size_t max_series = 1000;
    std::vector<double> bounds;  // histograms only
  };
  explicit Family(Options options);

  // The series for `values` (one per label name), created at first use; past max_series, the
  // overflow series. Never null.
  Series& at(std::initializer_list<std::string_view> values) {
    return at(LabelValues(values.begin(), values.size()));
  }
  Series& at(LabelValues values);

  // Series created so far, the overflow one included.
  std::size_t size() const;
  const Options& options() const { return options_; }
  // Calls `fn(label values, series)` for each series, under the family's shared lock.
  void forEach(const std::function<void(const std::vector<std::string>&, const Series&)>& fn) const;

 private:
  struct Entry;
  Series& create(std::string key, LabelValues values);
  Series* insert(std::string key, Entry entry);

  Options options_;
  mutable std::shared_mutex mutex_;
  struct Entry {
    std::vector<std::string> values;
    std::unique_ptr<Series> series;
  };
  std::unordered_map<std::string, Entry> series_;
  std::vector<const Entry*> order_;  // creation order, for a stable exposition
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

// A sample read at scrape time (a collector's output).
struct Sample {
  std::vector<std::string> labels;  // values, in the order of the collector's label names
  double value = 0;
};

class Registry {
 public:
  // Declares a family; names must be unique (asserted) and valid Prometheus names. The returned
  // reference lives as long as the registry.
  CounterFamily& counter(CounterFamily::Options options);
  GaugeFamily& gauge(GaugeFamily::Options options);
  HistogramFamily& histogram(HistogramFamily::Options options);

  // A gauge or counter family read at scrape time: `read` runs on the scraping thread each time
  // and returns the series as they are now (series it no longer returns disappear).
  struct CollectorOptions {
    std::string name;
    std::string help;
    Type type = Type::Gauge;
    std::vector<std::string> labels;
  };
  void collect(CollectorOptions options, std::function<std::vector<Sample>()> read);

  // Every family in the text exposition format 0.0.4, in declaration order.
  std::string render() const;

 private:
  struct Collector {
    CollectorOptions options;
    std::function<std::vector<Sample>()> read;
  };
  void claim(const std::string& name);

  std::vector<std::unique_ptr<CounterFamily>> counters_;
  std::vector<std::unique_ptr<GaugeFamily>> gauges_;
  std::vector<std::unique_ptr<HistogramFamily>> histograms_;
  std::vector<Collector> collectors_;
  // Declaration order: (type, index into its vector; collectors are Type::Counter/Gauge + 3).
  std::vector<std::pair<int, std::size_t>> order_;
  std::vector<std::string> names_;
};

// A label value escaped for the exposition: `\` → `\\`, `"` → `\"`, newline → `\n`.
std::string escapeLabelValue(std::string_view value);
// A HELP text escaped: `\` → `\\`, newline → `\n`.
std::string escapeHelp(std::string_view help);
// A sample value: integers without a fraction, "+Inf", "-Inf", "NaN", otherwise shortest
// round-trip.
std::string formatValue(double v);

// The Content-Type of render()'s output.
inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace poise::metrics
