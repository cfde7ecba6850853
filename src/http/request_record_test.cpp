#include "http/request_record.h"

#include <gtest/gtest.h>

namespace poise::http {
namespace {

RequestRecord sample() {
  RequestRecord r;
  r.request_id = "req-1";
  r.method = "POST";
  r.path = "/v1beta/models/gemini-2.5-flash:generateContent";
  r.route = "/v1beta/";
  r.remote_ip = "127.0.0.1";
  r.user_agent = "curl/8.0";
  r.started_ms = 1000;
  r.token = "default";
  r.model = "gemini-2.5-flash";
  return r;
}

TEST(RequestRecord, FinishingSetsStatusTimesAndAClassFromTheStatus) {
  RequestRecord r = sample();
  finishRecord(r, 200, false, 1042);
  EXPECT_TRUE(r.finished);
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.ended_ms, 1042);
  EXPECT_EQ(r.first_byte_ms, 1042);
  EXPECT_EQ(r.error, ErrorClass::None);

  RequestRecord unauthorized = sample();
  finishRecord(unauthorized, 401, false, 1001);
  EXPECT_EQ(unauthorized.error, ErrorClass::Unauthorized);

  RequestRecord bad = sample();
  finishRecord(bad, 413, false, 1001);
  EXPECT_EQ(bad.error, ErrorClass::BadRequest);

  RequestRecord gone = sample();
  finishRecord(gone, 0, true, 1001);
  EXPECT_EQ(gone.error, ErrorClass::ClientGone);
}

TEST(RequestRecord, TheFirstFailureAndTheFirstFinishWin) {
  RequestRecord r = sample();
  r.fail(ErrorClass::NoKey, "no key is available");
  r.fail(ErrorClass::Internal, "later");
  finishRecord(r, 503, false, 1100);
  finishRecord(r, 200, false, 1200);
  EXPECT_EQ(r.error, ErrorClass::NoKey);
  EXPECT_EQ(r.error_message, "no key is available");
  EXPECT_EQ(r.status, 503u);
  EXPECT_EQ(r.ended_ms, 1100);
}

TEST(RequestRecord, TheAccessLineNamesKeysByIdAndTimesFromTheStart) {
  RequestRecord r = sample();
  r.stream = true;
  r.attempts.push_back(KeyAttempt{.key_id = 7, .outcome = "cooldown", .status = 429});
  r.attempts.push_back(KeyAttempt{.key_id = 9, .outcome = "success", .status = 200});
  r.usage.present = true;
  r.usage.prompt = 12;
  r.usage.candidates = 30;
  r.usage.thoughts = 4;
  r.first_byte_ms = 1010;
  finishRecord(r, 200, false, 1250);
  const std::string line = accessLogFields(r);
  EXPECT_EQ(line,
            "request_id=req-1 method=POST path=/v1beta/models/gemini-2.5-flash:generateContent "
            "route=/v1beta/ protocol=gemini token=default model=gemini-2.5-flash stream=true "
            "status=200 ms=250 ttfb_ms=10 attempts=2 keys=7:cooldown,9:success prompt_tokens=12 "
            "completion_tokens=30 thought_tokens=4 ip=127.0.0.1 user_agent=curl/8.0");
}

TEST(RequestRecord, ClientBytesCannotBreakTheLine) {
  RequestRecord r = sample();
  r.user_agent = "evil\r\nlevel=error msg=forged";
  r.path = "/v1beta/a b";
  finishRecord(r, 0, true, 1001);
  const std::string line = accessLogFields(r);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(line.find('\r'), std::string::npos);
  EXPECT_NE(line.find(R"(user_agent="evil\x0d\nlevel=error msg=forged")"), std::string::npos);
  EXPECT_NE(line.find(R"(path="/v1beta/a b")"), std::string::npos);
  EXPECT_NE(line.find("status=499"), std::string::npos);
  EXPECT_NE(line.find("error=client_gone"), std::string::npos);
}

TEST(RequestRecord, AFailureMessageIsBoundedOnACharacterBoundary) {
  RequestRecord r;
  std::string message = "x";
  for (int i = 0; i < 2000; ++i) message += "é";  // two bytes each: the cut falls mid-character
  r.fail(ErrorClass::Forbidden, message);
  ASSERT_LE(r.error_message.size(), RequestRecord::kMaxErrorMessageBytes);
  EXPECT_GE(r.error_message.size(), RequestRecord::kMaxErrorMessageBytes - 1);
  EXPECT_EQ(r.error_message.size() % 2, 1u);  // "x" and whole two-byte characters
  EXPECT_TRUE(message.starts_with(r.error_message));
}

}  // namespace
}  // namespace poise::http
