#include "metrics/process_stats.h"

#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

namespace poise::metrics {

namespace {

template <class T>
bool parseField(std::string_view s, T& out) {
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && ptr == s.data() + s.size();
}

std::string readFile(const char* path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

std::optional<ProcStat> parseProcStat(std::string_view line) {
  const std::size_t close = line.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  // After ") ": field 3 (state) onwards, space-separated.
  std::string_view rest = line.substr(close + 1);
  ProcStat out;
  int field = 2;
  bool ok = true;
  while (!rest.empty()) {
    const std::size_t start = rest.find_first_not_of(" \n");
    if (start == std::string_view::npos) break;
    rest.remove_prefix(start);
    const std::size_t end = rest.find_first_of(" \n");
    const std::string_view value = rest.substr(0, end);
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
    ++field;
    switch (field) {
      case 14:
        ok = ok && parseField(value, out.utime_ticks);
        break;
      case 15:
        ok = ok && parseField(value, out.stime_ticks);
        break;
      case 22:
        ok = ok && parseField(value, out.start_ticks);
        break;
      case 23:
        ok = ok && parseField(value, out.vsize_bytes);
        break;
      case 24:
        ok = ok && parseField(value, out.rss_pages);
        break;
      default:
        break;
    }
  }
  if (!ok || field < 24) return std::nullopt;
  return out;
}

std::optional<std::uint64_t> parseBootTime(std::string_view proc_stat) {
  std::size_t pos = 0;
  while (pos < proc_stat.size()) {
    std::size_t end = proc_stat.find('\n', pos);
    if (end == std::string_view::npos) end = proc_stat.size();
    const std::string_view line = proc_stat.substr(pos, end - pos);
    if (line.starts_with("btime ")) {
      std::uint64_t value = 0;
      if (parseField(line.substr(6), value)) return value;
      return std::nullopt;
    }
    pos = end + 1;
  }
  return std::nullopt;
}

ProcessStats readProcessStats() {
  ProcessStats out;
  const auto ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const auto page = static_cast<double>(sysconf(_SC_PAGESIZE));
  if (auto stat = parseProcStat(readFile("/proc/self/stat")); stat && ticks > 0) {
    out.cpu_seconds = static_cast<double>(stat->utime_ticks + stat->stime_ticks) / ticks;
    out.resident_bytes = static_cast<double>(stat->rss_pages) * page;
    out.virtual_bytes = static_cast<double>(stat->vsize_bytes);
    if (auto boot = parseBootTime(readFile("/proc/stat"))) {
      out.start_time_seconds =
          static_cast<double>(*boot) + static_cast<double>(stat->start_ticks) / ticks;
    }
  }
  std::error_code ec;
  std::size_t fds = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++fds;
  }
  // The iterator's own descriptor is counted too; it is closed again once the loop ends.
  out.open_fds = static_cast<double>(fds > 0 ? fds - 1 : 0);
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) out.max_fds = static_cast<double>(limit.rlim_cur);
  return out;
}

}  // namespace poise::metrics
