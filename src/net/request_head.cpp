#include "net/request_head.h"

namespace poise::net {

namespace {

bool isTchar(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

bool isUnreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// Origin-form with visible ASCII only and no dot segment in the path.
bool isOriginForm(std::string_view target) {
  if (target.empty() || target.front() != '/') return false;
  for (const char ch : target) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7f || c == '#') return false;
  }
  const std::string_view path = target.substr(0, target.find('?'));
  std::size_t i = 0;
  while (i < path.size()) {
    const std::size_t start = i + 1;
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view seg = path.substr(start, end - start);
    if (seg == "." || seg == "..") return false;
    i = end;
  }
  return true;
}

}  // namespace

bool isHttpToken(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s) {
    if (!isTchar(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool isHeaderValue(std::string_view value) {
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
  }
  return true;
}

Result<RequestHead> RequestHead::start(std::string_view method, std::string_view target) {
  if (!isHttpToken(method))
    return makeError(ErrorCode::InvalidRequestLine, "invalid request method");
  if (!isOriginForm(target)) {
    return makeError(ErrorCode::InvalidRequestLine,
                     "the upstream request target holds characters or segments that are not "
                     "allowed");
  }
  std::string text;
  text.reserve(method.size() + target.size() + 256);
  text.append(method).append(" ").append(target).append(" HTTP/1.1\r\n");
  return RequestHead(std::move(text));
}

Status RequestHead::add(std::string_view name, std::string_view value) {
  if (!isHttpToken(name)) return makeError(ErrorCode::InvalidHeader, "invalid header name");
  if (!isHeaderValue(value)) {
    return makeError(ErrorCode::InvalidHeader, "header value holds a control character");
  }
  text_.append(name).append(": ").append(value).append("\r\n");
  return {};
}

Status RequestHead::addLines(std::string_view lines) {
  while (!lines.empty()) {
    const auto eol = lines.find("\r\n");
    if (eol == std::string_view::npos) {
      return makeError(ErrorCode::InvalidHeader, "header line without CRLF");
    }
    const std::string_view line = lines.substr(0, eol);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos)
      return makeError(ErrorCode::InvalidHeader, "header without ':'");
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    if (auto st = add(line.substr(0, colon), value); !st) return st;
    lines.remove_prefix(eol + 2);
  }
  return {};
}

Status RequestHead::addHostAndLength(const Origin& origin, std::size_t body_size) {
  if (auto st = add("Host", origin.hostHeader()); !st) return st;
  const std::string_view line = text_;
  const bool carries_body = body_size != 0 || line.starts_with("POST ") ||
                            line.starts_with("PUT ") || line.starts_with("PATCH ");
  if (!carries_body) return {};
  return add("Content-Length", std::to_string(body_size));
}

std::string RequestHead::finish() const& {
  std::string out;
  out.reserve(text_.size() + 2);
  out.append(text_).append("\r\n");
  return out;
}

std::string encodePathSegment(std::string_view segment) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  const bool dots = segment == "." || segment == "..";
  std::string out;
  out.reserve(segment.size() + 8);
  for (const char ch : segment) {
    const auto c = static_cast<unsigned char>(ch);
    if (isUnreserved(c) && !(dots && c == '.')) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0f]);
    }
  }
  return out;
}

}  // namespace poise::net
