// Column limits every dialect shares. MySQL needs a length on each indexed or defaulted text
// column (migrations/mysql), so the repositories enforce these on every dialect alike: values a
// user supplies are refused with "invalid_argument" when too long; values the server records
// for itself (reasons, user agents, audit details) are cut at a UTF-8 character boundary.
// Lengths are in bytes, which never exceed the characters MySQL's VARCHAR(n) counts.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace poise::storage {

inline constexpr std::size_t kMaxKeyValueBytes = 512;       // api_keys.key_ciphertext (+16 tag)
inline constexpr std::size_t kMaxDescriptionBytes = 1024;   // api_keys.description
inline constexpr std::size_t kMaxReasonBytes = 1024;        // key_status_history.reason
inline constexpr std::size_t kMaxUsernameBytes = 255;       // users.username, audit_log.username
inline constexpr std::size_t kMaxIpBytes = 64;              // sessions.ip, audit_log.ip
inline constexpr std::size_t kMaxUserAgentBytes = 512;      // sessions.user_agent
inline constexpr std::size_t kMaxAuditActionBytes = 64;     // audit_log.action
inline constexpr std::size_t kMaxAuditTargetBytes = 1024;   // audit_log.target
inline constexpr std::size_t kMaxAuditDetailBytes = 16384;  // audit_log.detail (TEXT)

// The longest prefix of `text` of at most `max_bytes` bytes that ends on a UTF-8 character
// boundary.
inline std::string truncateUtf8(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  std::size_t end = max_bytes;
  // Step back over continuation bytes (10xxxxxx) to the start of the cut character.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end));
}

}  // namespace poise::storage
