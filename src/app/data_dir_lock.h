// DataDirLock: one `poise serve` per data directory. An exclusive flock() on DATA_DIR/poise.lock,
// held for the life of the process (the kernel drops it when the process ends, however it ends);
// the file records the holder's pid so a second instance can name it. Owned by serve() on the
// control thread; other subcommands (migrate, keys import, reset-password) do not take it.
#pragma once

#include <string>

#include "core/result.h"

namespace poise::app {

// Creates `data_dir` and any missing parents with mode 0700 (never readable by others, not even
// for a moment); an existing directory is left as it is. Error "data_dir".
[[nodiscard]] Status createPrivateDirectories(const std::string& data_dir);

class DataDirLock {
 public:
  // Creates `data_dir` when missing and takes the lock without waiting. Fails with a message
  // naming the directory (and the holder's pid when it could be read) when another process holds
  // it, or with the system error when the directory or file cannot be made.
  [[nodiscard]] static Result<DataDirLock> acquire(const std::string& data_dir);

  DataDirLock(DataDirLock&& other) noexcept;
  DataDirLock& operator=(DataDirLock&& other) noexcept;
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;
  // Releases the lock. The file stays: removing it would race with the next holder.
  ~DataDirLock();

 private:
  explicit DataDirLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace poise::app
