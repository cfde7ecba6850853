#include "core/model_id.h"

#include <gtest/gtest.h>

#include <string>

namespace poise {
namespace {

TEST(GeminiModelId, AcceptsRealIds) {
  for (const char* id :
       {"gemini-2.5-flash", "gemini-2.5-pro", "gemini-2.0-flash-exp-image-generation",
        "text-embedding-004", "gemini-embedding-001", "imagen-4.0-generate-001", "aqa",
        "gemini-2.5-flash-preview-05-20", "learnlm_2.0", "G3"}) {
    EXPECT_TRUE(isGeminiModelId(id)) << id;
  }
}

TEST(GeminiModelId, RefusesWhatCouldLeaveThePathSegment) {
  for (const char* id :
       {"", ".", "..", "../../v1beta/models/gemini-2.5-pro", "models/gemini-2.5-flash",
        "gemini-2.5-flash:generateContent", "gemini-2.5-flash HTTP/1.1",
        "gemini\r\nx-goog-api-key: bad", "gemini%0d%0a", "gemini?alt=sse", "gemini#x",
        "-leading-dash", ".hidden", "a..b", "gemini\\x", "gémini"}) {
    EXPECT_FALSE(isGeminiModelId(id)) << id;
  }
  EXPECT_FALSE(isGeminiModelId(std::string_view("gemini\0x", 8)));
}

TEST(GeminiModelId, BoundsTheLength) {
  EXPECT_TRUE(isGeminiModelId(std::string(kMaxModelIdLength, 'a')));
  EXPECT_FALSE(isGeminiModelId(std::string(kMaxModelIdLength + 1, 'a')));
  EXPECT_FALSE(isGeminiModelId(std::string(200 * 1024, 'a')));
}

}  // namespace
}  // namespace poise
