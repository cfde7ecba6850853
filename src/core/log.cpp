#include "core/log.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/secret_mask.h"

namespace poise {

namespace {

class ScrubbingStderrSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit ScrubbingStderrSink(LogFormat format) : format_(format) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    std::string line;
    if (format_ == LogFormat::Json) {
      time_formatter_.format(msg, formatted);
      const auto level = spdlog::level::to_string_view(msg.level);
      line = logLineAsJson(std::string_view(formatted.data(), formatted.size()),
                           std::string_view(level.data(), level.size()),
                           std::string_view(msg.payload.data(), msg.payload.size()));
      line = scrubSecrets(line);
      line.push_back('\n');
    } else {
      formatter_->format(msg, formatted);
      line = scrubSecrets(std::string_view(formatted.data(), formatted.size()));
    }
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
  void flush_() override { std::fflush(stderr); }

 private:
  const LogFormat format_;
  spdlog::pattern_formatter time_formatter_{"%Y-%m-%dT%H:%M:%S.%eZ", spdlog::pattern_time_type::utc,
                                            ""};
};

// Fields whose values come from clients: always JSON strings, whatever they look like.
bool isTextField(std::string_view key) {
  static constexpr std::array<std::string_view, 10> kText = {
      "request_id", "path", "route",         "model",  "token",
      "user_agent", "ip",   "error_message", "method", "msg"};
  return std::find(kText.begin(), kText.end(), key) != kText.end();
}

bool isBareNumber(std::string_view v) {
  const std::size_t start = !v.empty() && v[0] == '-' ? 1 : 0;
  if (v.size() == start || v.size() - start > 15) return false;
  return std::all_of(v.begin() + static_cast<std::ptrdiff_t>(start), v.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

// Length of the valid UTF-8 sequence at s[i], or 0 when it is not one.
std::size_t utf8Length(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  std::size_t n = 0;
  std::uint32_t cp = 0;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
    cp = c & 0x1Fu;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    cp = c & 0x0Fu;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    cp = c & 0x07u;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3Fu);
  }
  const bool overlong = (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000);
  if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

void appendJsonString(std::string& out, std::string_view v) {
  constexpr std::string_view kHex = "0123456789abcdef";
  out.push_back('"');
  for (std::size_t i = 0; i < v.size();) {
    const auto c = static_cast<unsigned char>(v[i]);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c == '\n') {
      out.append("\\n");
    } else if (c < 0x20 || c == 0x7f) {
      out.append("\\u00").push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    } else if (c >= 0x80) {
      const std::size_t n = utf8Length(v, i);
      if (n == 0) {
        out.append("\\ufffd");
        ++i;
        continue;
      }
      out.append(v.substr(i, n));
      i += n;
      continue;
    } else {
      out.push_back(static_cast<char>(c));
    }
    ++i;
  }
  out.push_back('"');
}

struct LogPair {
  std::string key;
  std::string value;
  bool quoted = false;
};

// Parses `k=v k="quoted \"v\""` as logValue writes it; nullopt when the text is not logfmt.
std::optional<std::vector<LogPair>> parseLogfmt(std::string_view text) {
  std::vector<LogPair> out;
  std::size_t i = 0;
  const auto isKeyChar = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  };
  while (i < text.size()) {
    if (text[i] == ' ') {
      ++i;
      continue;
    }
    LogPair pair;
    const std::size_t key_start = i;
    while (i < text.size() && isKeyChar(text[i])) ++i;
    if (i == key_start || i >= text.size() || text[i] != '=') return std::nullopt;
    pair.key.assign(text.substr(key_start, i - key_start));
    ++i;
    if (i < text.size() && text[i] == '"') {
      pair.quoted = true;
      ++i;
      bool closed = false;
      while (i < text.size()) {
        const char c = text[i];
        if (c == '"') {
          closed = true;
          ++i;
          break;
        }
        if (c != '\\' || i + 1 >= text.size()) {
          pair.value.push_back(c);
          ++i;
          continue;
        }
        const char e = text[i + 1];
        if (e == 'n') {
          pair.value.push_back('\n');
          i += 2;
        } else if (e == 'x' && i + 3 < text.size() &&
                   std::isxdigit(static_cast<unsigned char>(text[i + 2])) &&
                   std::isxdigit(static_cast<unsigned char>(text[i + 3]))) {
          pair.value.push_back(
              static_cast<char>(std::stoi(std::string(text.substr(i + 2, 2)), nullptr, 16)));
          i += 4;
        } else {
          pair.value.push_back(e);  // \" and \\ (and anything else, literally)
          i += 2;
        }
      }
      if (!closed) return std::nullopt;
      if (i < text.size() && text[i] != ' ') return std::nullopt;
    } else {
      const std::size_t end = std::min(text.find(' ', i), text.size());
      pair.value.assign(text.substr(i, end - i));
      i = end;
    }
    out.push_back(std::move(pair));
  }
  return out;
}

}  // namespace

std::string logLineAsJson(std::string_view ts, std::string_view level, std::string_view payload) {
  std::string out;
  out.reserve(payload.size() + 64);
  out.append("{\"ts\":");
  appendJsonString(out, ts);
  out.append(",\"level\":");
  appendJsonString(out, level);
  const auto pairs = parseLogfmt(payload);
  if (!pairs) {
    out.append(",\"msg\":");
    appendJsonString(out, payload);
    out.push_back('}');
    return out;
  }
  std::vector<std::string> seen = {"ts", "level"};
  for (const LogPair& p : *pairs) {
    // A repeated name keeps both values: the later one gets a numbered name.
    std::string key = p.key;
    for (int n = 2; std::find(seen.begin(), seen.end(), key) != seen.end(); ++n) {
      key = p.key + "_" + std::to_string(n);
    }
    seen.push_back(key);
    out.push_back(',');
    appendJsonString(out, key);
    out.push_back(':');
    if (!p.quoted && !isTextField(p.key) &&
        (isBareNumber(p.value) || p.value == "true" || p.value == "false")) {
      out.append(p.value);
    } else {
      appendJsonString(out, p.value);
    }
  }
  out.push_back('}');
  return out;
}

void initLogging(std::string_view level, LogFormat format) {
  auto sink = std::make_shared<ScrubbingStderrSink>(format);
  auto logger = std::make_shared<spdlog::logger>("poise", sink);
  logger->set_pattern("ts=%Y-%m-%dT%H:%M:%S.%eZ level=%l %v", spdlog::pattern_time_type::utc);
  std::string lvl(level);
  std::transform(lvl.begin(), lvl.end(), lvl.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lvl == "warning") lvl = "warn";
  if (lvl == "critical") lvl = "critical";
  logger->set_level(spdlog::level::from_str(lvl));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

std::string logValue(std::string_view v) {
  const auto control = [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  };
  const bool needs_quotes = v.empty() || v.find_first_of(" \"=") != std::string_view::npos ||
                            std::any_of(v.begin(), v.end(), control);
  if (!needs_quotes) return std::string(v);
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (c == '\n') {
      out.append("\\n");
    } else if (control(c)) {
      // One line per record, whatever a client put in a value.
      constexpr std::string_view kHex = "0123456789abcdef";
      const auto u = static_cast<unsigned char>(c);
      out.append("\\x").push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xf]);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

}  // namespace poise
