#include "fakes/google_json.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>

namespace poise::fakes {

namespace {

void appendString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      default:
        if (c < 0x20) {
          out.append("\\u00");
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xF]);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

template <class T>
void appendNumber(std::string& out, T v) {
  std::array<char, 64> buf{};
  const auto res = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  out.append(buf.data(), res.ptr);
}

void appendIndent(std::string& out, int depth) {
  out.append(static_cast<std::size_t>(depth) * 2, ' ');
}

void append(std::string& out, const boost::json::value& v, JsonLayout layout, int depth) {
  const bool pretty = layout == JsonLayout::kPretty;
  const char* key_sep = layout == JsonLayout::kCompact ? ":" : ": ";
  switch (v.kind()) {
    case boost::json::kind::null:
      out.append("null");
      return;
    case boost::json::kind::bool_:
      out.append(v.get_bool() ? "true" : "false");
      return;
    case boost::json::kind::int64:
      appendNumber(out, v.get_int64());
      return;
    case boost::json::kind::uint64:
      appendNumber(out, v.get_uint64());
      return;
    case boost::json::kind::double_:
      appendNumber(out, v.get_double());
      return;
    case boost::json::kind::string:
      appendString(out, v.get_string());
      return;
    case boost::json::kind::array: {
      const auto& arr = v.get_array();
      if (arr.empty()) {
        out.append("[]");
        return;
      }
      out.push_back('[');
      bool first = true;
      for (const auto& item : arr) {
        if (!first) out.push_back(',');
        first = false;
        if (pretty) {
          out.push_back('\n');
          appendIndent(out, depth + 1);
        }
        append(out, item, layout, depth + 1);
      }
      if (pretty) {
        out.push_back('\n');
        appendIndent(out, depth);
      }
      out.push_back(']');
      return;
    }
    case boost::json::kind::object: {
      const auto& obj = v.get_object();
      if (obj.empty()) {
        out.append("{}");
        return;
      }
      out.push_back('{');
      bool first = true;
      for (const auto& member : obj) {
        if (!first) out.push_back(',');
        first = false;
        if (pretty) {
          out.push_back('\n');
          appendIndent(out, depth + 1);
        }
        appendString(out, member.key());
        out.append(key_sep);
        append(out, member.value(), layout, depth + 1);
      }
      if (pretty) {
        out.push_back('\n');
        appendIndent(out, depth);
      }
      out.push_back('}');
      return;
    }
  }
}

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is invalid.
std::size_t validSequenceLength(std::string_view s, std::size_t i) {
  const auto c0 = static_cast<unsigned char>(s[i]);
  if (c0 < 0x80) return 1;
  std::size_t len = 0;
  std::uint32_t min = 0;
  std::uint32_t cp = 0;
  if ((c0 & 0xE0) == 0xC0) {
    len = 2;
    min = 0x80;
    cp = c0 & 0x1F;
  } else if ((c0 & 0xF0) == 0xE0) {
    len = 3;
    min = 0x800;
    cp = c0 & 0x0F;
  } else if ((c0 & 0xF8) == 0xF0) {
    len = 4;
    min = 0x10000;
    cp = c0 & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (c & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

}  // namespace

std::string formatJson(const boost::json::value& v, JsonLayout layout) {
  std::string out;
  append(out, v, layout, 0);
  return out;
}

std::string sanitizeUtf8(std::string_view in, std::size_t max_bytes) {
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  std::string out;
  out.reserve(std::min(in.size(), max_bytes));
  std::size_t i = 0;
  while (i < in.size()) {
    const std::size_t len = validSequenceLength(in, i);
    const std::string_view piece = len == 0 ? kReplacement : in.substr(i, len);
    if (out.size() + piece.size() > max_bytes) break;
    out.append(piece);
    i += len == 0 ? 1 : len;
  }
  return out;
}

}  // namespace poise::fakes
