// ErrorCode: every machine code an Error can carry. toString gives the stable snake_case wire
// string that admin envelopes, OpenAI's `code` and the logs show; compare codes as enum values,
// never as strings. Plain constexpr functions; thread-safe.
#pragma once

#include <iosfwd>
#include <string_view>

namespace poise {

enum class ErrorCode {
  // A request or value the caller sent is wrong.
  BadRequest,
  RequestTimeout,
  RequestTooLarge,
  HeaderTooLarge,
  InvalidArgument,
  InvalidRequest,
  ValidationError,
  InvalidStatus,
  InvalidPriority,
  InvalidModel,
  InvalidPath,
  InvalidUrl,
  InvalidHeader,
  InvalidRequestLine,
  InvalidAddressRange,
  WeakPassword,
  MethodNotAllowed,
  // Who is asking.
  Unauthorized,
  InvalidCredentials,
  Inactive,
  Forbidden,
  PasswordChangeRequired,
  Csrf,
  Locked,
  TooManyRequests,
  RateLimited,
  // Stored data.
  NotFound,
  Conflict,
  LastAdmin,
  OwnAccount,
  DuplicateKey,
  TooManyKeys,
  Busy,
  DbError,
  DecryptFailed,
  CryptoError,
  HashFailed,
  InvalidMasterKey,
  SchemaTooNew,
  InvalidDatabaseUrl,
  UnsupportedDatabase,
  // Settings and start-up.
  InvalidConfig,
  ConfigRequired,
  InvalidSetting,
  InvalidEnvFile,
  DataDir,
  DataDirInUse,
  SecretKey,
  SecretKeyFile,
  SecretKeyMissing,
  SecretKeyMismatch,
  Rlimit,
  TlsSetup,
  BindFailed,
  BadListen,
  InternalError,
  Unavailable,
  // Keys and what the upstream answered.
  NoKeyAvailable,
  UpstreamError,
  UpstreamInvalidResponse,
  BadGateway,
  UpstreamTimeout,
  ContentPolicyViolation,
  SseEventTooLarge,
};

// The last enumerator, so tests can walk every code.
inline constexpr ErrorCode kLastErrorCode = ErrorCode::SseEventTooLarge;

// The wire string: stable, snake_case, unique per code.
constexpr std::string_view toString(ErrorCode code) {
  switch (code) {
    case ErrorCode::InvalidArgument:
      return "invalid_argument";
    case ErrorCode::InvalidRequest:
      return "invalid_request";
    case ErrorCode::ValidationError:
      return "validation_error";
    case ErrorCode::InvalidStatus:
      return "invalid_status";
    case ErrorCode::InvalidPriority:
      return "invalid_priority";
    case ErrorCode::InvalidModel:
      return "invalid_model";
    case ErrorCode::InvalidPath:
      return "invalid_path";
    case ErrorCode::InvalidUrl:
      return "invalid_url";
    case ErrorCode::InvalidHeader:
      return "invalid_header";
    case ErrorCode::InvalidRequestLine:
      return "invalid_request_line";
    case ErrorCode::InvalidAddressRange:
      return "invalid_address_range";
    case ErrorCode::WeakPassword:
      return "weak_password";
    case ErrorCode::Unauthorized:
      return "unauthorized";
    case ErrorCode::InvalidCredentials:
      return "invalid_credentials";
    case ErrorCode::Inactive:
      return "inactive";
    case ErrorCode::Csrf:
      return "csrf";
    case ErrorCode::NotFound:
      return "not_found";
    case ErrorCode::Conflict:
      return "conflict";
    case ErrorCode::Busy:
      return "busy";
    case ErrorCode::DbError:
      return "db_error";
    case ErrorCode::DecryptFailed:
      return "decrypt_failed";
    case ErrorCode::CryptoError:
      return "crypto_error";
    case ErrorCode::HashFailed:
      return "hash_failed";
    case ErrorCode::InvalidMasterKey:
      return "invalid_master_key";
    case ErrorCode::SchemaTooNew:
      return "schema_too_new";
    case ErrorCode::InvalidDatabaseUrl:
      return "invalid_database_url";
    case ErrorCode::UnsupportedDatabase:
      return "unsupported_database";
    case ErrorCode::InvalidConfig:
      return "invalid_config";
    case ErrorCode::ConfigRequired:
      return "config_required";
    case ErrorCode::InvalidSetting:
      return "invalid_setting";
    case ErrorCode::InvalidEnvFile:
      return "invalid_env_file";
    case ErrorCode::DataDir:
      return "data_dir";
    case ErrorCode::DataDirInUse:
      return "data_dir_in_use";
    case ErrorCode::SecretKey:
      return "secret_key";
    case ErrorCode::SecretKeyFile:
      return "secret_key_file";
    case ErrorCode::SecretKeyMissing:
      return "secret_key_missing";
    case ErrorCode::SecretKeyMismatch:
      return "secret_key_mismatch";
    case ErrorCode::Rlimit:
      return "rlimit";
    case ErrorCode::TlsSetup:
      return "tls_setup";
    case ErrorCode::BindFailed:
      return "bind_failed";
    case ErrorCode::BadListen:
      return "bad_listen";
    case ErrorCode::MethodNotAllowed:
      return "method_not_allowed";
    case ErrorCode::Locked:
      return "locked";
    case ErrorCode::TooManyRequests:
      return "too_many_requests";
    case ErrorCode::DuplicateKey:
      return "duplicate_key";
    case ErrorCode::TooManyKeys:
      return "too_many_keys";
    case ErrorCode::InternalError:
      return "internal_error";
    case ErrorCode::NoKeyAvailable:
      return "no_key_available";
    case ErrorCode::BadRequest:
      return "bad_request";
    case ErrorCode::RequestTimeout:
      return "request_timeout";
    case ErrorCode::RequestTooLarge:
      return "request_too_large";
    case ErrorCode::HeaderTooLarge:
      return "header_too_large";
    case ErrorCode::Forbidden:
      return "forbidden";
    case ErrorCode::PasswordChangeRequired:
      return "password_change_required";
    case ErrorCode::LastAdmin:
      return "last_admin";
    case ErrorCode::OwnAccount:
      return "own_account";
    case ErrorCode::RateLimited:
      return "rate_limited";
    case ErrorCode::Unavailable:
      return "unavailable";
    case ErrorCode::BadGateway:
      return "bad_gateway";
    case ErrorCode::UpstreamTimeout:
      return "upstream_timeout";
    case ErrorCode::UpstreamError:
      return "upstream_error";
    case ErrorCode::UpstreamInvalidResponse:
      return "upstream_invalid_response";
    case ErrorCode::ContentPolicyViolation:
      return "content_policy_violation";
    case ErrorCode::SseEventTooLarge:
      return "sse_event_too_large";
  }
  return "unknown";  // not reached for a valid enumerator
}

// Prints the wire string (test failure messages).
std::ostream& operator<<(std::ostream& os, ErrorCode code);

}  // namespace poise
