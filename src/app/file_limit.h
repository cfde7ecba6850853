// The process's open-file limit (RLIMIT_NOFILE) and how many descriptors the server may need.
// Every client connection is a socket, and so is the upstream connection its request may open;
// running out makes accept() and upstream connects fail. Called once by serve() at start-up,
// before any thread starts.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/result.h"

namespace poise::app {

struct FileLimit {
  std::uint64_t before = 0;  // soft limit found at start
  std::uint64_t soft = 0;    // soft limit now
  std::uint64_t hard = 0;
};

// Raises the soft limit to the hard one (capped at fs.nr_open when the hard one is unlimited).
[[nodiscard]] Result<FileLimit> raiseFileLimit();

// Descriptors a server may hold at once: two per client connection (the client's and an
// upstream one), three per database connection (SQLite keeps the database, WAL and shared-memory
// files open), and a reserve for listeners, event loops, the key checker and log files.
std::uint64_t descriptorsNeeded(std::size_t max_connections, std::size_t database_connections,
                                unsigned workers);

}  // namespace poise::app
