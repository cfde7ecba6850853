// Gemini Poise: parse flags, pick the subcommand, run it. Nothing else lives here.
#include <CLI/CLI.hpp>
#include <iostream>

#include "app/app.h"
#include "config/settings.h"
#include "core/log.h"

int main(int argc, char** argv) {
  CLI::App cli{"Gemini Poise: a self-hosted gateway in front of Google's Gemini API"};
  cli.require_subcommand(0, 1);
  cli.fallthrough();  // `poise serve --listen …` as well as `poise --listen … serve`
  poise::config::FlagValues flags;
  std::string listen, data_dir, database_url, log_level;
  unsigned workers = 0;
  cli.add_option("--listen", listen, "address:port to listen on (POISE_LISTEN)");
  cli.add_option("--data-dir", data_dir, "data directory (POISE_DATA_DIR)");
  cli.add_option("--database-url", database_url, "SQLAlchemy-style database URL (DATABASE_URL)");
  cli.add_option("--log-level", log_level, "trace|debug|info|warn|error (LOG_LEVEL)");
  cli.add_option("--workers", workers, "I/O threads (POISE_WORKERS)");

  auto* serve = cli.add_subcommand("serve", "run the gateway (the default)");
  auto* migrate = cli.add_subcommand("migrate", "apply database migrations and exit");
  auto* version = cli.add_subcommand("version", "print the version");
  auto* keys = cli.add_subcommand("keys", "manage upstream keys");
  keys->require_subcommand(1);
  std::string import_file;
  auto* import = keys->add_subcommand(
      "import", "add keys from FILE or - (stdin), one per line or comma-separated");
  import->add_option("FILE", import_file, "file with keys, or - for standard input")->required();
  std::string new_key_file;
  auto* rekey = keys->add_subcommand(
      "rekey",
      "re-encrypt every stored key under a new master key (from --new-key-file, "
      "POISE_NEW_SECRET_KEY, or generated); stop the gateway first");
  rekey->add_option("--new-key-file", new_key_file,
                    "file holding the new 32-byte key (hex or base64)");
  auto* admin = cli.add_subcommand("admin", "administer users");
  admin->require_subcommand(1);
  std::string reset_user;
  auto* reset = admin->add_subcommand("reset-password",
                                      "set a new random password, print it once, revoke sessions");
  reset->add_option("USER", reset_user, "username")->required();

  CLI11_PARSE(cli, argc, argv);

  if (version->parsed()) {
    std::cout << "gemini-poise 0.1.0\n";
    return 0;
  }
  if (!listen.empty()) flags["POISE_LISTEN"] = listen;
  if (!data_dir.empty()) flags["POISE_DATA_DIR"] = data_dir;
  if (!database_url.empty()) flags["DATABASE_URL"] = database_url;
  if (!log_level.empty()) flags["LOG_LEVEL"] = log_level;
  if (workers > 0) flags["POISE_WORKERS"] = std::to_string(workers);

  auto settings = poise::config::loadSettings(flags);
  if (!settings) {
    std::cerr << "poise: " << settings.error().message << "\n";
    return 2;
  }
  poise::initLogging(settings->log_level,
                     settings->log_json ? poise::LogFormat::Json : poise::LogFormat::Text);
  if (migrate->parsed()) return poise::app::migrate(*settings);
  if (import->parsed()) return poise::app::importKeys(*settings, import_file);
  if (rekey->parsed()) return poise::app::rekeyMasterKey(*settings, new_key_file);
  if (reset->parsed()) return poise::app::resetPassword(*settings, reset_user);
  (void)serve;
  return poise::app::serve(*settings);
}
