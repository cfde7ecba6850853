// Model names on both sides of the gateway: client-facing aliases (one map used by every
// protocol), Gemini's "models/x" resource names and bare ids. Pure functions; thread-safe.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace poise::protocols {

// Client-facing model name → Gemini model id (with or without "models/").
using ModelAliases = std::map<std::string, std::string, std::less<>>;

// "models/gemini-2.5-flash" → "gemini-2.5-flash"; other names unchanged.
std::string_view stripModelsPrefix(std::string_view name);
// "gemini-2.5-flash" → "models/gemini-2.5-flash"; already-prefixed names unchanged.
std::string withModelsPrefix(std::string_view name);

// The alias target for `client_model` (looked up as given, then without "models/"), or nullptr.
const std::string* findAlias(std::string_view client_model, const ModelAliases* aliases);

// The 400 message for a model name that is not a Gemini model id (core/model_id.h). It never
// echoes the name: it may be huge or hold control characters.
inline constexpr std::string_view kInvalidModelMessage =
    "model is not a valid Gemini model id (an ASCII letter or digit, then letters, digits, '.', "
    "'-' or '_'; at most 128 characters; an optional \"models/\" prefix)";

// True when `client_model`, resolved as resolveModel() does, is a Gemini model id.
bool isValidClientModel(std::string_view client_model, const ModelAliases* aliases);

// The bare Gemini id to call for `client_model`: its alias target if it has one, otherwise the
// name itself; "models/" is stripped either way.
std::string resolveModel(std::string_view client_model, const ModelAliases* aliases);

}  // namespace poise::protocols
