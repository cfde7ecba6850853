// RequestHead: the one writer of upstream HTTP/1.1 request heads. Whatever its callers checked,
// it refuses a request line or a header that could split the head: CR, LF, NUL or other control
// characters in the target or a header value, a header name that is not an RFC 9110 token, a
// target that is not origin-form, and "." or ".." path segments. Pure value type; no I/O.
#pragma once

#include <string>
#include <string_view>

#include "core/origin.h"
#include "core/result.h"

namespace poise::net {

class RequestHead {
 public:
  // Starts "METHOD target HTTP/1.1\r\n". `method` must be an uppercase token; `target` must
  // start with '/', hold only visible ASCII (no space, '#' or control character) and have no
  // "." or ".." segment before its query.
  [[nodiscard]] static Result<RequestHead> start(std::string_view method, std::string_view target);

  // Adds "name: value\r\n". `name` must be a token; `value` may hold visible characters, spaces,
  // tabs and bytes ≥ 0x80, never CR, LF, NUL or another control character.
  [[nodiscard]] Status add(std::string_view name, std::string_view value);

  // Adds pre-rendered header lines ("Name: value\r\n" each), each checked as add() checks it.
  [[nodiscard]] Status addLines(std::string_view lines);

  // Adds Host for `origin` and, when a body of `body_size` bytes goes with the request (any
  // non-empty body, and always for POST, PUT and PATCH), its Content-Length.
  [[nodiscard]] Status addHostAndLength(const Origin& origin, std::size_t body_size);

  // True for a HEAD request: its answer has no body whatever its headers say.
  bool headOnly() const { return text_.starts_with("HEAD "); }

  // The head so far, without the blank line that ends it.
  std::string_view text() const { return text_; }

  // The finished head: everything added, then the blank line.
  std::string finish() const&;

 private:
  explicit RequestHead(std::string text) : text_(std::move(text)) {}
  std::string text_;
};

// True for an RFC 9110 token (header names, methods): one or more tchar.
bool isHttpToken(std::string_view s);

// True when `value` may stand in a header field value (see RequestHead::add).
bool isHeaderValue(std::string_view value);

// `segment` percent-encoded for use as one path segment: only RFC 3986 unreserved characters
// (letters, digits, '-', '.', '_', '~') stay as they are; "." and ".." are encoded whole.
std::string encodePathSegment(std::string_view segment);

}  // namespace poise::net
