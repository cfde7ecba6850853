// Result<T>: the value-or-error return type for expected failures (bad input, I/O, database).
// Error carries a machine code (ErrorCode; its wire string is stable and used in API envelopes)
// and a human message that must never contain secrets. Result and Status are [[nodiscard]]: a
// caller handles the outcome or says in a comment why it may drop it. Thread-compatible values.
#pragma once

#include <boost/system/result.hpp>
#include <string>
#include <utility>

#include "core/error_code.h"

namespace poise {

struct Error {
  // Not an aggregate on purpose: Result<std::string> must not mistake a string for an Error.
  Error() = default;
  Error(ErrorCode c, std::string m) : code(c), message(std::move(m)) {}
  ErrorCode code = ErrorCode::InvalidArgument;
  std::string message;  // human text, already scrubbed of secrets
};

[[noreturn]] void throw_exception_from_error(const Error& e, const boost::source_location& loc);

template <class T>
class [[nodiscard]] Result : public boost::system::result<T, Error> {
 public:
  using Base = boost::system::result<T, Error>;
  using Base::Base;
  Result() = default;
};

using Status = Result<void>;

inline Error makeError(ErrorCode code, std::string message) {
  return Error{code, std::move(message)};
}

}  // namespace poise
