#include "core/log.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace poise {
namespace {

boost::json::object parsed(const std::string& line) {
  boost::system::error_code ec;
  auto v = boost::json::parse(line, ec);
  EXPECT_FALSE(ec) << line;
  EXPECT_TRUE(v.is_object()) << line;
  return v.is_object() ? v.as_object() : boost::json::object{};
}

TEST(LogJson, EveryLogfmtPairBecomesAMember) {
  const auto o = parsed(logLineAsJson("2026-12-02T18:00:00.000Z", "info",
                                      "msg=access request_id=123 status=200 stream=true "
                                      "path=/v1beta/x model=gemini-2.5-flash ms=-3 "
                                      "error_message=\"a b\""));
  EXPECT_EQ(o.at("ts").as_string(), "2026-12-02T18:00:00.000Z");
  EXPECT_EQ(o.at("level").as_string(), "info");
  EXPECT_EQ(o.at("msg").as_string(), "access");
  EXPECT_EQ(o.at("request_id").as_string(), "123");  // client text stays a string
  EXPECT_EQ(o.at("status").as_int64(), 200);
  EXPECT_EQ(o.at("ms").as_int64(), -3);
  EXPECT_TRUE(o.at("stream").as_bool());
  EXPECT_EQ(o.at("error_message").as_string(), "a b");
}

// Whatever a client puts in a value, logValue quotes it and the JSON line keeps it inside its
// string: no member can be added, and the line stays one valid JSON object.
TEST(LogJson, HostileValuesCannotBreakOutOfTheirString) {
  const std::pair<std::string, bool> hostile[] = {
      {R"(ua" level="error" injected="1)", true},
      {"ua\", \"injected\": true, \"x\": \"", true},
      {"line\nbreak\r\t\x01\x7f", true},
      {"back\\slash\\\" end\\", true},
      {"bad utf8 \xff\xfe \xc3 and \xe2\x82", false},
      {"é ü 日本 🙂", true},
      {"{\"json\":[1,2]}", true},
  };
  for (const auto& [v, valid_utf8] : hostile) {
    const std::string payload =
        "msg=access user_agent=" + logValue(v) + " path=" + logValue(v) + " status=200";
    const std::string line = logLineAsJson("t", "info", payload);
    EXPECT_EQ(line.find('\n'), std::string::npos);
    const auto o = parsed(line);
    EXPECT_EQ(o.size(), 6U) << line;
    EXPECT_EQ(o.at("status").as_int64(), 200);
    EXPECT_FALSE(o.contains("injected"));
    const std::string back(o.at("user_agent").as_string());
    if (valid_utf8) {
      EXPECT_EQ(back, v);  // valid UTF-8 comes back exactly
    } else {
      EXPECT_NE(back.find("\xef\xbf\xbd"), std::string::npos);  // U+FFFD in place of bad bytes
    }
  }
}

TEST(LogJson, TextThatIsNotLogfmtIsOneMessageAndRepeatedNamesAreKept) {
  const auto o = parsed(logLineAsJson("t", "warn", "free text \"with quotes\""));
  EXPECT_EQ(o.at("msg").as_string(), "free text \"with quotes\"");
  const auto unterminated = parsed(logLineAsJson("t", "warn", "msg=x a=\"open"));
  EXPECT_EQ(unterminated.at("msg").as_string(), "msg=x a=\"open");
  const auto twice = parsed(logLineAsJson("t", "info", "msg=x level=9 a=1 a=2"));
  EXPECT_EQ(twice.at("level").as_string(), "info");
  EXPECT_EQ(twice.at("level_2").as_int64(), 9);
  EXPECT_EQ(twice.at("a").as_int64(), 1);
  EXPECT_EQ(twice.at("a_2").as_int64(), 2);
}

}  // namespace
}  // namespace poise
