// What the gateway must know about a Gemini model to translate for it: how thinking is
// controlled (a token budget on 2.5, a level on 3.x) and in what range, whether tool-call turns
// need thought signatures, and whether it outputs images. Derived from the model id alone
// (wire-format.md §1.2, §8.4). Pure functions; thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/result.h"

namespace poise::protocols {

enum class ThinkingControl {
  kNone,    // no thinking knobs: sending thinkingConfig is a 400
  kBudget,  // thinkingBudget (Gemini 2.5)
  kLevel,   // thinkingLevel (Gemini 3.x)
};

struct ModelTraits {
  ThinkingControl thinking = ThinkingControl::kNone;
  // kBudget: smallest non-zero budget, largest budget, and whether 0 (off) is allowed.
  std::int64_t min_budget = 0;
  std::int64_t max_budget = 0;
  bool can_disable_thinking = true;
  // kLevel: LOW and HIGH always; MINIMAL and MEDIUM only on some models (Flash).
  bool has_minimal_level = false;
  bool has_medium_level = false;
  // Gemini 3.x rejects a tool-call turn whose functionCall lacks its thoughtSignature.
  bool requires_thought_signatures = false;
  // Image-output model ("…-image…"): answers with inlineData images.
  bool image_output = false;
};

// Traits for a bare or "models/"-prefixed id. Unknown names get no thinking controls.
ModelTraits modelTraits(std::string_view model);

// generationConfig.thinkingConfig for an OpenAI reasoning_effort ("none", "minimal", "low",
// "medium", "high", "xhigh", "max"): Google's budgets 0/1024/8192/24576 on 2.5, levels on 3.x,
// clamped to what the model accepts. nullopt when the model has no thinking controls. An
// unknown effort is an invalid_request error.
Result<std::optional<boost::json::object>> thinkingForEffort(std::string_view effort,
                                                             const ModelTraits& traits);

// thinkingConfig for an explicit token budget (Anthropic's thinking.budget_tokens): clamped on
// 2.5; on 3.x the nearest level (≤1024 low, ≤8192 medium, else high). nullopt without controls.
std::optional<boost::json::object> thinkingForBudget(std::int64_t budget_tokens,
                                                     const ModelTraits& traits);

}  // namespace poise::protocols
