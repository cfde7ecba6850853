#include "app/data_dir_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <string_view>
#include <system_error>
#include <utility>

namespace poise::app {

namespace {

std::string errnoMessage(int err) {
  return std::error_code(err, std::system_category()).message();
}

// The pid the holder wrote, or "" when the file holds none yet (it is written just after the
// lock is taken).
std::string readHolderPid(int fd) {
  char buf[32];
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  if (n <= 0) return {};
  std::string_view text(buf, static_cast<std::size_t>(n));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  if (text.empty() || text.find_first_not_of("0123456789") != std::string_view::npos) return {};
  return std::string(text);
}

}  // namespace

Status createPrivateDirectories(const std::string& data_dir) {
  const std::filesystem::path target = std::filesystem::path(data_dir).lexically_normal();
  std::filesystem::path partial;
  for (const auto& part : target) {
    partial /= part;
    if (part.empty() || part == "/" || part == "." || part == "..") continue;
    if (::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST) {
      return makeError(ErrorCode::DataDir,
                       "cannot create " + partial.string() + ": " + errnoMessage(errno));
    }
  }
  std::error_code ec;
  if (!std::filesystem::is_directory(target, ec)) {
    return makeError(ErrorCode::DataDir, "cannot create " + data_dir + ": not a directory");
  }
  return {};
}

Result<DataDirLock> DataDirLock::acquire(const std::string& data_dir) {
  if (auto st = createPrivateDirectories(data_dir); !st) return st.error();
  const std::string path = (std::filesystem::path(data_dir) / "poise.lock").string();
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return makeError(ErrorCode::DataDir, "cannot open " + path + ": " + errnoMessage(errno));
  DataDirLock lock(fd);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    if (err != EWOULDBLOCK) {
      return makeError(ErrorCode::DataDir, "cannot lock " + path + ": " + errnoMessage(err));
    }
    const std::string pid = readHolderPid(fd);
    return makeError(ErrorCode::DataDirInUse,
                     "data directory " + data_dir + " is in use by another poise" +
                         (pid.empty() ? std::string() : " (pid " + pid + ")") +
                         "; stop it, or give this one its own POISE_DATA_DIR");
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 ||
      ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    return makeError(ErrorCode::DataDir, "cannot write " + path + ": " + errnoMessage(errno));
  }
  return lock;
}

DataDirLock::DataDirLock(DataDirLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

DataDirLock& DataDirLock::operator=(DataDirLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

DataDirLock::~DataDirLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace poise::app
