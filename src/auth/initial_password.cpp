#include "auth/initial_password.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

namespace poise::auth {

std::filesystem::path initialPasswordPath(const std::filesystem::path& data_dir) {
  return data_dir / "initial-admin-password";
}

Status writeInitialPassword(const std::filesystem::path& data_dir, std::string_view password) {
  const auto path = initialPasswordPath(data_dir);
  // Created 0600 from the start: never readable by others, not even for a moment.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return makeError(ErrorCode::DataDir,
                     "cannot write " + path.string() + ": " + std::strerror(errno));
  }
  const std::string text = std::string(password) + "\n";
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  (void)::fchmod(fd, 0600);  // an older file may have had a wider mode
  ::close(fd);
  if (!written) return makeError(ErrorCode::DataDir, "cannot write " + path.string());
  return {};
}

std::optional<std::string> readInitialPassword(const std::filesystem::path& data_dir) {
  if (data_dir.empty()) return std::nullopt;
  std::ifstream in(initialPasswordPath(data_dir));
  if (!in) return std::nullopt;
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

bool forgetInitialPassword(const std::filesystem::path& data_dir, std::string_view password) {
  auto text = readInitialPassword(data_dir);
  if (!text || password.empty()) return false;
  const bool same = text->size() == password.size() &&
                    CRYPTO_memcmp(text->data(), password.data(), text->size()) == 0;
  OPENSSL_cleanse(text->data(), text->size());
  if (!same) return false;
  std::error_code ec;
  return std::filesystem::remove(initialPasswordPath(data_dir), ec);
}

}  // namespace poise::auth
