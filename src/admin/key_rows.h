// How the admin API shows a stored key row (keyJson: the value always masked) and loads it into
// the KeyPool (poolKeyOf). Pure functions; thread-safe.
#pragma once

#include <boost/json/object.hpp>

#include "keys/key_pool.h"
#include "storage/api_key_repository.h"

namespace poise::admin {

boost::json::object keyJson(const storage::ApiKey& k);
keys::PoolKey poolKeyOf(const storage::ApiKey& k);

}  // namespace poise::admin
