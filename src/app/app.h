// The subcommands behind main(): each returns the process exit code. `serve` builds and runs a
// ServerApp (app/server_app.h, the composition root); the others open storage through
// app/bootstrap.h, do one thing and return.
#pragma once

#include "config/settings.h"

namespace poise::app {

// `poise serve`.
int serve(const config::Settings& settings);
// `poise migrate`.
int migrate(const config::Settings& settings);
// `poise keys import FILE|-`.
int importKeys(const config::Settings& settings, const std::string& file);
// `poise keys rekey [--new-key-file FILE]`: every upstream key and sealed config value moved to
// a new master key in one transaction (see storage/master_key.h), the key file replaced (the
// previous one kept as secret.key.old-<time>) or, with POISE_SECRET_KEY, instructions printed.
int rekeyMasterKey(const config::Settings& settings, const std::string& new_key_file);
// `poise admin reset-password USER`.
int resetPassword(const config::Settings& settings, const std::string& username);

}  // namespace poise::app
