#include "metrics/registry.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <mutex>

namespace poise::metrics {

namespace {

constexpr std::string_view kOverflow = "other";

[[maybe_unused]] bool validName(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

// The map key of a label set: the values joined by a byte no escaped value holds unescaped.
std::string seriesKey(LabelValues values) {
  std::size_t n = values.size();
  for (const std::string_view v : values) n += v.size();
  std::string key;
  key.reserve(n);
  for (const std::string_view v : values) {
    key.append(v);
    key.push_back('\0');
  }
  return key;
}

// `{a="x",b="y"}` (empty when there are no labels), with `extra` (e.g. le) appended.
void appendLabels(std::string& out, const std::vector<std::string>& names,
                  const std::vector<std::string>& values, std::string_view extra = {}) {
  if (names.empty() && extra.empty()) return;
  out.push_back('{');
  bool first = true;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (!first) out.push_back(',');
    first = false;
    out.append(names[i]).append("=\"").append(escapeLabelValue(values[i])).push_back('"');
  }
  if (!extra.empty()) {
    if (!first) out.push_back(',');
    out.append(extra);
  }
  out.push_back('}');
}

void appendHead(std::string& out, std::string_view name, std::string_view help,
                std::string_view type) {
  out.append("# HELP ").append(name).append(" ").append(escapeHelp(help)).push_back('\n');
  out.append("# TYPE ").append(name).append(" ").append(type).push_back('\n');
}

void appendSample(std::string& out, std::string_view name, const std::vector<std::string>& names,
                  const std::vector<std::string>& values, double v, std::string_view extra = {}) {
  out.append(name);
  appendLabels(out, names, values, extra);
  out.push_back(' ');
  out.append(formatValue(v)).push_back('\n');
}

// A counter or gauge family: its head, then one sample per series.
template <class Series>
void appendScalars(std::string& out, const Family<Series>& family, std::string_view type) {
  const auto& o = family.options();
  appendHead(out, o.name, o.help, type);
  family.forEach([&](const std::vector<std::string>& values, const Series& series) {
    appendSample(out, o.name, o.labels, values, series.value());
  });
}

}  // namespace

std::string escapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string escapeHelp(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (const char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string formatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::trunc(v) && std::fabs(v) < 1e15) {
    return fmt::format("{}", static_cast<std::int64_t>(v));
  }
  return fmt::format("{}", v);
}

Histogram::Histogram(std::span<const double> bounds)
    : bounds_(bounds), buckets_(new std::atomic<std::uint64_t>[bounds.size() + 1]) {
  for (std::size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0);
}

void Histogram::observe(double v) {
  // A few bounds: a linear scan beats a binary search and stays branch-predictable.
  std::size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot out;
  out.cumulative.resize(bounds_.size() + 1);
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    out.cumulative[i] = running;
  }
  out.sum = sum_.load(std::memory_order_relaxed);
  return out;
}

template <class Series>
Family<Series>::Family(Options options) : options_(std::move(options)) {
  assert(validName(options_.name));
  assert(options_.max_series >= 1);
  assert(std::is_sorted(options_.bounds.begin(), options_.bounds.end()));
  for ([[maybe_unused]] const auto& l : options_.labels) assert(validName(l) && l != "le");
}

template <class Series>
Series& Family<Series>::at(LabelValues values) {
  assert(values.size() == options_.labels.size());
  std::string key = seriesKey(values);
  {
    std::shared_lock lock(mutex_);
    if (auto it = series_.find(key); it != series_.end()) return *it->second.series;
  }
  return create(std::move(key), values);
}

template <class Series>
Series& Family<Series>::create(std::string key, LabelValues values) {
  std::unique_lock lock(mutex_);
  if (auto it = series_.find(key); it != series_.end()) return *it->second.series;
  // The last free slot is kept for the overflow series.
  if (series_.size() + 1 >= options_.max_series) {
    const std::vector<std::string_view> other(values.size(), kOverflow);
    key = seriesKey(other);
    if (auto it = series_.find(key); it != series_.end()) return *it->second.series;
    values = other;
    Entry entry{.values = {values.begin(), values.end()}, .series = nullptr};
    return *insert(std::move(key), std::move(entry));
  }
  Entry entry{.values = {values.begin(), values.end()}, .series = nullptr};
  return *insert(std::move(key), std::move(entry));
}

template <class Series>
Series* Family<Series>::insert(std::string key, Entry entry) {
  if constexpr (std::is_same_v<Series, Histogram>) {
    entry.series = std::make_unique<Histogram>(options_.bounds);
  } else {
    entry.series = std::make_unique<Series>();
  }
  auto [it, inserted] = series_.emplace(std::move(key), std::move(entry));
  assert(inserted);
  order_.push_back(&it->second);
  return it->second.series.get();
}

template <class Series>
std::size_t Family<Series>::size() const {
  std::shared_lock lock(mutex_);
  return series_.size();
}

template <class Series>
void Family<Series>::forEach(
    const std::function<void(const std::vector<std::string>&, const Series&)>& fn) const {
  std::shared_lock lock(mutex_);
  for (const Entry* e : order_) fn(e->values, *e->series);
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

void Registry::claim(const std::string& name) {
  assert(validName(name));
  assert(std::find(names_.begin(), names_.end(), name) == names_.end());
  names_.push_back(name);
}

CounterFamily& Registry::counter(CounterFamily::Options options) {
  claim(options.name);
  counters_.push_back(std::make_unique<CounterFamily>(std::move(options)));
  order_.emplace_back(static_cast<int>(Type::Counter), counters_.size() - 1);
  return *counters_.back();
}

GaugeFamily& Registry::gauge(GaugeFamily::Options options) {
  claim(options.name);
  gauges_.push_back(std::make_unique<GaugeFamily>(std::move(options)));
  order_.emplace_back(static_cast<int>(Type::Gauge), gauges_.size() - 1);
  return *gauges_.back();
}

HistogramFamily& Registry::histogram(HistogramFamily::Options options) {
  claim(options.name);
  histograms_.push_back(std::make_unique<HistogramFamily>(std::move(options)));
  order_.emplace_back(static_cast<int>(Type::Histogram), histograms_.size() - 1);
  return *histograms_.back();
}

void Registry::collect(CollectorOptions options, std::function<std::vector<Sample>()> read) {
  claim(options.name);
  collectors_.push_back(Collector{.options = std::move(options), .read = std::move(read)});
  order_.emplace_back(-1, collectors_.size() - 1);
}

std::string Registry::render() const {
  std::string out;
  out.reserve(4096);
  for (const auto& [type, index] : order_) {
    if (type == static_cast<int>(Type::Counter)) {
      appendScalars(out, *counters_[index], "counter");
    } else if (type == static_cast<int>(Type::Gauge)) {
      appendScalars(out, *gauges_[index], "gauge");
    } else if (type == static_cast<int>(Type::Histogram)) {
      const auto& f = *histograms_[index];
      const auto& o = f.options();
      appendHead(out, o.name, o.help, "histogram");
      const std::string bucket = o.name + "_bucket";
      f.forEach([&](const std::vector<std::string>& values, const Histogram& h) {
        const Histogram::Snapshot s = h.snapshot();
        for (std::size_t i = 0; i < o.bounds.size(); ++i) {
          const std::string le = "le=\"" + formatValue(o.bounds[i]) + "\"";
          appendSample(out, bucket, o.labels, values, static_cast<double>(s.cumulative[i]), le);
        }
        const auto count = static_cast<double>(s.cumulative.back());
        appendSample(out, bucket, o.labels, values, count, "le=\"+Inf\"");
        appendSample(out, o.name + "_sum", o.labels, values, s.sum);
        appendSample(out, o.name + "_count", o.labels, values, count);
      });
    } else {
      const Collector& c = collectors_[index];
      const auto& o = c.options;
      appendHead(out, o.name, o.help, o.type == Type::Counter ? "counter" : "gauge");
      std::vector<Sample> samples = c.read();
      // No duplicate series: the first sample of a label set wins.
      std::vector<std::string> seen;
      for (const Sample& s : samples) {
        assert(s.labels.size() == o.labels.size());
        std::vector<std::string_view> views(s.labels.begin(), s.labels.end());
        std::string key = seriesKey(views);
        if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
        seen.push_back(std::move(key));
        appendSample(out, o.name, o.labels, s.labels, s.value);
      }
    }
  }
  return out;
}

}  // namespace poise::metrics
