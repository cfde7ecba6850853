#include "core/log.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <mutex>
#include <string>

#include "core/secret_mask.h"

namespace poise {

namespace {

class ScrubbingStderrSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    const std::string line = scrubSecrets(std::string_view(formatted.data(), formatted.size()));
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
  void flush_() override { std::fflush(stderr); }
};

}  // namespace

void initLogging(std::string_view level) {
  auto sink = std::make_shared<ScrubbingStderrSink>();
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
