#include "protocols/gemini/stream_end.h"

#include <gtest/gtest.h>

#include <string>

namespace poise::protocols {
namespace {

// Feeds `text` split every `step` bytes.
bool endedIn(std::string_view text, std::size_t step) {
  StreamEndScanner s;
  for (std::size_t i = 0; i < text.size(); i += step) s.feed(text.substr(i, step));
  return s.ended();
}

TEST(StreamEndScanner, FindsAFinishReasonSplitAnywhere) {
  const std::string stream =
      "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"hi\"}]}}]}\r\n\r\n"
      "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"!\"}]},"
      "\"finishReason\" :  \"STOP\"}]}\r\n\r\n";
  for (std::size_t step = 1; step <= stream.size(); ++step) {
    EXPECT_TRUE(endedIn(stream, step)) << step;
  }
}

TEST(StreamEndScanner, AStreamWithoutOneIsNotEnded) {
  const std::string stream =
      "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"finishReason\"}]}}]}\r\n\r\n"
      "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"\\\"finishReason\\\": "
      "x\"}]}}],\"usageMetadata\": {\"promptTokenCount\": 3}}\r\n\r\n";
  for (std::size_t step = 1; step <= stream.size(); ++step) {
    EXPECT_FALSE(endedIn(stream, step)) << step;
  }
}

TEST(StreamEndScanner, ABlockedPromptOrAnInBandErrorIsAnEnd) {
  EXPECT_TRUE(endedIn("data: {\"promptFeedback\": {\"blockReason\": \"SAFETY\"}}\r\n\r\n", 3));
  EXPECT_TRUE(endedIn("[{\n  \"error\": {\n    \"code\": 500\n  }\n}]", 2));
}

}  // namespace
}  // namespace poise::protocols
