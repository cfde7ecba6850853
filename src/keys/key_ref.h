// KeyRef: how KeyPool names one key to its slot-indexed parts (bucket store, status machine).
// `slot` is the pool's dense index for the key (in-process parts index arrays by it, so a lookup
// is one array access); `id` is the stored key id (a store shared by several gateway instances
// keys its records by it). Both stay fixed while the key is in the pool; a slot is reused only
// after its key was removed from every part. Plain value; no threading of its own.
#pragma once

#include <cstddef>
#include <cstdint>

namespace poise::keys {

struct KeyRef {
  std::size_t slot = 0;
  std::int64_t id = 0;
  friend bool operator==(const KeyRef&, const KeyRef&) = default;
};

}  // namespace poise::keys
