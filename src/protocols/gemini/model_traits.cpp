#include "protocols/gemini/model_traits.h"

#include <algorithm>
#include <charconv>

#include "protocols/json_fields.h"
#include "protocols/model_name.h"

namespace poise::protocols {

namespace {

bool contains(std::string_view s, std::string_view part) {
  return s.find(part) != std::string_view::npos;
}

// "gemini-2.5-flash" → {2, 5}; "gemini-3-pro-preview" → {3, 0}.
std::optional<std::pair<int, int>> geminiVersion(std::string_view id) {
  constexpr std::string_view kGemini = "gemini-";
  if (!id.starts_with(kGemini)) return std::nullopt;
  id.remove_prefix(kGemini.size());
  int major = 0;
  auto [p, ec] = std::from_chars(id.data(), id.data() + id.size(), major);
  if (ec != std::errc{}) return std::nullopt;
  int minor = 0;
  const char* end = id.data() + id.size();
  if (p != end && *p == '.') {
    auto [q, ec2] = std::from_chars(p + 1, end, minor);
    if (ec2 != std::errc{}) return std::nullopt;
    p = q;
  }
  if (p != end && *p != '-') return std::nullopt;
  return std::pair{major, minor};
}

json::object budgetConfig(std::int64_t budget) {
  json::object config;
  config["thinkingBudget"] = budget;
  return config;
}

json::object levelConfig(std::string_view level) {
  json::object config;
  config["thinkingLevel"] = level;
  return config;
}

std::int64_t clampBudget(std::int64_t budget, const ModelTraits& t) {
  if (budget <= 0) return t.can_disable_thinking ? 0 : t.min_budget;
  return std::clamp(budget, t.min_budget, t.max_budget);
}

std::string_view lowestLevel(const ModelTraits& t) {
  return t.has_minimal_level ? "MINIMAL" : "LOW";
}

}  // namespace

ModelTraits modelTraits(std::string_view model) {
  const std::string_view id = stripModelsPrefix(model);
  ModelTraits t;
  t.image_output = contains(id, "-image");
  const auto version = geminiVersion(id);
  if (!version) return t;
  const auto [major, minor] = *version;
  if (major >= 3 || (major == 2 && minor == 5)) {
    t.output_token_limit = t.image_output ? 32768 : 65536;
  } else if (major == 2 && minor == 0) {
    t.output_token_limit = 8192;
  }
  if (t.image_output) return t;
  if (major >= 3) {
    t.thinking = ThinkingControl::kLevel;
    t.requires_thought_signatures = true;
    const bool pro = contains(id, "-pro");
    t.has_minimal_level = !pro;
    t.has_medium_level = !pro;
  } else if (major == 2 && minor == 5) {
    t.thinking = ThinkingControl::kBudget;
    if (contains(id, "-pro")) {
      t.min_budget = 128;
      t.max_budget = 32768;
      t.can_disable_thinking = false;
    } else if (contains(id, "-flash-lite")) {
      t.min_budget = 512;
      t.max_budget = 24576;
    } else {
      t.min_budget = 1;
      t.max_budget = 24576;
    }
  }
  return t;
}

OutputTokenLimits outputTokenLimits(const json::object& model_list) {
  OutputTokenLimits out;
  const json::value* models = model_list.if_contains("models");
  if (models == nullptr || !models->is_array()) return out;
  for (const json::value& m : models->get_array()) {
    const json::object* model = m.if_object();
    if (model == nullptr) continue;
    const json::value* name = model->if_contains("name");
    const json::value* limit = model->if_contains("outputTokenLimit");
    if (name == nullptr || !name->is_string() || limit == nullptr) continue;
    const std::optional<std::int64_t> value = asInteger(*limit);
    if (value && *value > 0) out[std::string(stripModelsPrefix(name->get_string()))] = *value;
  }
  return out;
}

std::int64_t clampOutputTokens(std::int64_t requested, std::string_view model,
                               const OutputTokenLimits* listed) {
  const std::string_view id = stripModelsPrefix(model);
  std::int64_t limit = 0;
  if (listed != nullptr) {
    if (auto it = listed->find(id); it != listed->end()) limit = it->second;
  }
  if (limit == 0) limit = modelTraits(id).output_token_limit;
  // A limit of 1 (embedding models) leaves no valid value below it; Google's own answer is
  // clearer than a silent 0.
  if (limit <= 1) return requested;
  return std::min(requested, limit - 1);
}

bool outputLimitUncertain(std::int64_t requested, std::string_view model) {
  if (requested <= 0) return false;
  const std::int64_t limit = modelTraits(model).output_token_limit;
  return limit == 0 || requested >= limit;
}

Result<std::optional<json::object>> thinkingForEffort(std::string_view effort, const ModelTraits& t,
                                                      std::string_view field) {
  enum class Effort { kNone, kMinimal, kLow, kMedium, kHigh, kMax };
  Effort e;
  if (effort == "none") {
    e = Effort::kNone;
  } else if (effort == "minimal") {
    e = Effort::kMinimal;
  } else if (effort == "low") {
    e = Effort::kLow;
  } else if (effort == "medium") {
    e = Effort::kMedium;
  } else if (effort == "high") {
    e = Effort::kHigh;
  } else if (effort == "xhigh" || effort == "max") {
    e = Effort::kMax;
  } else {
    return invalidRequest(std::string(field) +
                          " must be one of none, minimal, low, medium, high, xhigh, max");
  }
  switch (t.thinking) {
    case ThinkingControl::kNone:
      return std::optional<json::object>{};
    case ThinkingControl::kBudget: {
      std::int64_t budget = 0;
      switch (e) {
        case Effort::kNone:
          budget = 0;
          break;
        case Effort::kMinimal:
          budget = t.min_budget;
          break;
        case Effort::kLow:
          budget = 1024;
          break;
        case Effort::kMedium:
          budget = 8192;
          break;
        case Effort::kHigh:
          budget = 24576;
          break;
        case Effort::kMax:
          budget = t.max_budget;
          break;
      }
      return std::optional<json::object>{budgetConfig(clampBudget(budget, t))};
    }
    case ThinkingControl::kLevel: {
      std::string_view level = "HIGH";
      switch (e) {
        case Effort::kNone:
        case Effort::kMinimal:
          level = lowestLevel(t);
          break;
        case Effort::kLow:
          level = "LOW";
          break;
        case Effort::kMedium:
          // Models without MEDIUM (3 Pro) round up: HIGH is their default.
          level = t.has_medium_level ? "MEDIUM" : "HIGH";
          break;
        case Effort::kHigh:
        case Effort::kMax:
          level = "HIGH";
          break;
      }
      return std::optional<json::object>{levelConfig(level)};
    }
  }
  return std::optional<json::object>{};
}

std::optional<json::object> thinkingForBudget(std::int64_t budget_tokens, const ModelTraits& t) {
  switch (t.thinking) {
    case ThinkingControl::kNone:
      return std::nullopt;
    case ThinkingControl::kBudget:
      return budgetConfig(clampBudget(budget_tokens, t));
    case ThinkingControl::kLevel:
      if (budget_tokens <= 0) return levelConfig(lowestLevel(t));
      if (budget_tokens <= 1024) return levelConfig("LOW");
      if (budget_tokens <= 8192) return levelConfig(t.has_medium_level ? "MEDIUM" : "HIGH");
      return levelConfig("HIGH");
  }
  return std::nullopt;
}

void requestThoughtSummaries(json::object& generation_config, const ModelTraits& traits) {
  if (traits.thinking == ThinkingControl::kNone) return;
  json::value& config = generation_config["thinkingConfig"];
  if (!config.is_object()) config = json::object{};
  const json::value* budget = config.get_object().if_contains("thinkingBudget");
  const bool off = budget != nullptr && budget->is_int64() && budget->get_int64() == 0;
  if (!off) config.get_object()["includeThoughts"] = true;
  if (config.get_object().empty()) generation_config.erase("thinkingConfig");
}

}  // namespace poise::protocols
