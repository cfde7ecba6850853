#include "core/result.h"

#include <ostream>
#include <stdexcept>

namespace poise {

void throw_exception_from_error(const Error& e, const boost::source_location&) {
  throw std::runtime_error(std::string(toString(e.code)) + ": " + e.message);
}

std::ostream& operator<<(std::ostream& os, ErrorCode code) {
  return os << toString(code);
}

}  // namespace poise
