#include "app/file_limit.h"

#include <sys/resource.h>

#include <cerrno>
#include <fstream>
#include <system_error>

namespace poise::app {

namespace {

// The kernel's ceiling for RLIMIT_NOFILE; an unlimited hard limit cannot be set as the soft one.
std::uint64_t nrOpen() {
  std::ifstream in("/proc/sys/fs/nr_open");
  std::uint64_t n = 0;
  if (in >> n && n > 0) return n;
  return std::uint64_t{1} << 20;
}

}  // namespace

Result<FileLimit> raiseFileLimit() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) {
    return makeError(ErrorCode::Rlimit,
                     "cannot read the nofile limit: " +
                         std::error_code(errno, std::system_category()).message());
  }
  FileLimit out;
  out.before = lim.rlim_cur;
  out.hard = lim.rlim_max;
  const rlim_t target =
      lim.rlim_max == RLIM_INFINITY ? static_cast<rlim_t>(nrOpen()) : lim.rlim_max;
  if (lim.rlim_cur == RLIM_INFINITY || lim.rlim_cur >= target) {
    out.soft = lim.rlim_cur;
    return out;
  }
  lim.rlim_cur = target;
  if (::setrlimit(RLIMIT_NOFILE, &lim) != 0) {
    return makeError(ErrorCode::Rlimit,
                     "cannot raise the nofile limit to " + std::to_string(target) + ": " +
                         std::error_code(errno, std::system_category()).message());
  }
  out.soft = target;
  return out;
}

std::uint64_t descriptorsNeeded(std::size_t max_connections, std::size_t database_connections,
                                unsigned workers) {
  return 2 * std::uint64_t{max_connections} + 3 * std::uint64_t{database_connections} +
         8 * std::uint64_t{workers} + 64;
}

}  // namespace poise::app
