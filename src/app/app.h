// App: the composition root. Opens storage, seeds the first admin and the config, loads the key
// pool, wires the routes and runs the HTTP server, the background flusher and signal handling.
// Owned by main(); run() blocks until SIGTERM/SIGINT and returns the process exit code.
#pragma once

#include "config/settings.h"

namespace poise::app {

// `poise serve`.
int serve(const config::Settings& settings);
// `poise migrate`.
int migrate(const config::Settings& settings);
// `poise keys import FILE|-`.
int importKeys(const config::Settings& settings, const std::string& file);
// `poise admin reset-password USER`.
int resetPassword(const config::Settings& settings, const std::string& username);

}  // namespace poise::app
