// ProcessStats: the process_* series Prometheus clients export (resident memory, open file
// descriptors, CPU seconds, start time), read from /proc at scrape time. The parsers are pure;
// read() does blocking file reads of /proc (cheap, in-memory) on the scraping thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace poise::metrics {

struct ProcessStats {
  double cpu_seconds = 0;         // user + system
  double start_time_seconds = 0;  // Unix time
  double resident_bytes = 0;
  double virtual_bytes = 0;
  double open_fds = 0;
  double max_fds = 0;
};

// Fields of /proc/self/stat: user and system CPU and the start time, in clock ticks.
struct ProcStat {
  std::uint64_t utime_ticks = 0;
  std::uint64_t stime_ticks = 0;
  std::uint64_t start_ticks = 0;  // after boot
  std::uint64_t vsize_bytes = 0;
  std::int64_t rss_pages = 0;
};
// Parses /proc/self/stat's one line; the command name (field 2) may hold spaces and ')', so the
// fields are counted from its last ')'. nullopt when the line is malformed.
std::optional<ProcStat> parseProcStat(std::string_view line);
// The `btime` (boot time, Unix seconds) of /proc/stat; nullopt when absent.
std::optional<std::uint64_t> parseBootTime(std::string_view proc_stat);

// The process's own figures now; fields that cannot be read stay 0.
ProcessStats readProcessStats();

}  // namespace poise::metrics
