// The first admin's generated password, kept in DATA_DIR/initial-admin-password (mode 0600) until
// that admin chooses their own. Blocking file I/O: call at start-up or on the BlockingPool.
// Thread-safe as far as the file system is.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace poise::auth {

std::filesystem::path initialPasswordPath(const std::filesystem::path& data_dir);

// Writes the file, readable by its owner only.
Status writeInitialPassword(const std::filesystem::path& data_dir, std::string_view password);

// The password the file holds; nullopt when there is no readable file.
std::optional<std::string> readInitialPassword(const std::filesystem::path& data_dir);

// Removes the file when it holds `password` (a password its user has just replaced, so the file
// can only mislead or leak). Returns true when a file was removed.
bool forgetInitialPassword(const std::filesystem::path& data_dir, std::string_view password);

}  // namespace poise::auth
