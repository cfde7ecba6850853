// Gemini model ids as they may appear in an upstream path: the grammar every client-supplied
// model name must pass (after alias resolution and "models/" stripping) before it names an
// upstream resource or a key cooldown. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

namespace poise {

// Longest model id accepted (Google's resource ids are at most 128 characters).
inline constexpr std::size_t kMaxModelIdLength = 128;

// True for a bare Gemini model id: an ASCII letter or digit, then letters, digits, '.', '-' or
// '_', at most kMaxModelIdLength in all ("gemini-2.5-flash", "text-embedding-004"). Nothing
// else passes: no '/', ':', '%', space, control character or "..".
bool isGeminiModelId(std::string_view id);

}  // namespace poise
