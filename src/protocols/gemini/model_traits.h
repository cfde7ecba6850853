// What the gateway must know about a Gemini model to translate for it: how thinking is
// controlled (a token budget on 2.5, a level on 3.x) and in what range, whether tool-call turns
// need thought signatures, whether it outputs images, and its output-token limit. Derived from
// the model id alone (wire-format.md §1.2, §8.4), except the output limit, which the models list
// may supply. Pure functions; thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
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
  // outputTokenLimit as Google lists it for the family (2.5 and 3.x text models 65536, 2.0
  // 8192, image models 32768); 0 when unknown. A fallback for when the models list is not at hand.
  std::int64_t output_token_limit = 0;
};

// Traits for a bare or "models/"-prefixed id. Unknown names get no thinking controls.
ModelTraits modelTraits(std::string_view model);

// outputTokenLimit of each model in a Gemini models list ({"models":[{"name","outputTokenLimit"}]},
// as mergeModelPages gives it), by bare model id. Entries without a positive limit are left out.
using OutputTokenLimits = std::map<std::string, std::int64_t, std::less<>>;
OutputTokenLimits outputTokenLimits(const boost::json::object& model_list);

// The maxOutputTokens to send when a client asks for `requested` tokens of `model`: below the
// model's outputTokenLimit, taken from `listed` when it names the model, else from the static
// traits. Google has refused a value equal to the listed limit ("supported range is from 1
// (inclusive) to 65536 (exclusive)"), so the limit is treated as exclusive: at most limit - 1.
// Unchanged when no limit is known. `listed` may be null.
std::int64_t clampOutputTokens(std::int64_t requested, std::string_view model,
                               const OutputTokenLimits* listed);

// True when the static traits alone cannot settle the clamp of `requested` tokens for `model`:
// they know no limit for it, or the clamp would change the value (the models list might give
// another limit). False when `requested` is 0 (the client set no limit). Tells the proxy when a
// models list is worth fetching.
bool outputLimitUncertain(std::int64_t requested, std::string_view model);

// generationConfig.thinkingConfig for an effort level: OpenAI's reasoning_effort or Anthropic's
// output_config.effort ("none", "minimal", "low", "medium", "high", "xhigh", "max"). Google's
// budgets 0/1024/8192/24576 on 2.5, levels on 3.x, clamped to what the model accepts. nullopt
// when the model has no thinking controls. An unknown effort is an invalid_request error naming
// `field` (the client's field, e.g. "reasoning_effort").
Result<std::optional<boost::json::object>> thinkingForEffort(std::string_view effort,
                                                             const ModelTraits& traits,
                                                             std::string_view field);

// thinkingConfig for an explicit token budget (Anthropic's thinking.budget_tokens): clamped on
// 2.5; on 3.x the nearest level (≤1024 low, ≤8192 medium, else high). nullopt without controls.
std::optional<boost::json::object> thinkingForBudget(std::int64_t budget_tokens,
                                                     const ModelTraits& traits);

// Asks for thought summaries: thinkingConfig.includeThoughts in `generation_config`, unless the
// model has no thinking controls or its thinkingConfig turns thinking off (budget 0).
void requestThoughtSummaries(boost::json::object& generation_config, const ModelTraits& traits);

}  // namespace poise::protocols
