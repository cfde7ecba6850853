// Result<T>: the value-or-error return type for expected failures (bad input, I/O, database).
// Error carries a machine code (snake_case, stable, used in API envelopes) and a human message
// that must never contain secrets. Thread-compatible value types.
#pragma once

#include <boost/system/result.hpp>
#include <string>
#include <utility>

namespace poise {

struct Error {
  // Not an aggregate on purpose: Result<std::string> must not mistake a string for an Error.
  Error() = default;
  Error(std::string c, std::string m) : code(std::move(c)), message(std::move(m)) {}
  std::string code;     // machine code, e.g. "not_found", "conflict", "db_error"
  std::string message;  // human text, already scrubbed of secrets
};

[[noreturn]] void throw_exception_from_error(const Error& e, const boost::source_location& loc);

template <class T>
using Result = boost::system::result<T, Error>;

using Status = boost::system::result<void, Error>;

inline Error makeError(std::string code, std::string message) {
  return Error{std::move(code), std::move(message)};
}

}  // namespace poise
