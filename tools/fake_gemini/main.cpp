// fake-gemini: the fake Gemini upstream as a standalone process for integration tests.
// Prints "fake-gemini listening on HOST:PORT" once bound, serves until SIGTERM or SIGINT.
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdio>
#include <exception>
#include <thread>
#include <vector>

#include "fakes/fake_gemini.h"

int main(int argc, char** argv) {
  CLI::App app{"Fake Gemini API upstream for Gemini Poise tests (see tests/fakes/README.md)"};
  int port = 0;
  std::string host = "127.0.0.1";
  int threads = 1;
  bool sse_lf = false;
  bool verbose = false;
  app.add_option("--port", port, "TCP port to listen on; 0 picks a free one")
      ->check(CLI::Range(0, 65535));
  app.add_option("--host", host, "address to bind");
  app.add_option("--threads", threads, "I/O threads")->check(CLI::Range(1, 64));
  app.add_flag("--sse-lf", sse_lf, "end SSE events with \\n\\n instead of \\r\\n\\r\\n");
  app.add_flag("--verbose", verbose, "log one line per request to stderr");
  CLI11_PARSE(app, argc, argv);

  boost::asio::io_context ioc;
  // Installed before the "listening" line so a supervisor's early SIGTERM is never fatal.
  boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
  std::unique_ptr<poise::fakes::FakeGemini> fake;
  try {
    fake = std::make_unique<poise::fakes::FakeGemini>(
        ioc, poise::fakes::FakeGeminiOptions{.host = host,
                                             .port = static_cast<std::uint16_t>(port),
                                             .sse_crlf = !sse_lf,
                                             .log_requests_to_stderr = verbose});
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fake-gemini: cannot listen on %s:%d: %s\n", host.c_str(), port, e.what());
    return 1;
  }
  std::printf("fake-gemini listening on %s:%u\n", host.c_str(),
              static_cast<unsigned>(fake->port()));
  std::fflush(stdout);

  signals.async_wait([&](const boost::system::error_code&, int) { fake->stop(); });

  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&] { ioc.run(); });
  ioc.run();
  for (auto& t : pool) t.join();
  return 0;
}
