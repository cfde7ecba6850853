// How the admin API shows a stored key row (keyJson: the value always masked) and loads it into
// the KeyPool (poolKeyOf). Pure functions; thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <string_view>

#include "keys/key_pool.h"
#include "storage/api_key_repository.h"

namespace poise::admin {

inline constexpr std::string_view kBadStatus =
    "status must be one of active, exhausted, error, disabled";
inline constexpr std::string_view kBadPriority = "priority must be one of high, normal, low";

boost::json::object keyJson(const storage::ApiKey& k);
keys::PoolKey poolKeyOf(const storage::ApiKey& k);

}  // namespace poise::admin
