// StringHash: transparent hashing for maps keyed by std::string, so that lookups by string_view
// (a model name taken from a request path) allocate nothing. Stateless.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

namespace poise::keys {

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

}  // namespace poise::keys
