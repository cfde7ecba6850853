#include "app/console.h"

namespace poise::app {

namespace bhttp = boost::beast::http;

namespace {

// Headers of index.html (and any HTML file of the bundle): the CSP, no referrer, no framing.
constexpr http::AssetHeaders kPageHeaders{.content_security_policy = kConsoleContentSecurityPolicy,
                                          .referrer_policy = "no-referrer",
                                          .frame_options = "DENY"};

constexpr std::string_view kNoBundle =
    "This build of Gemini Poise has no web console (it was built with "
    "-DPOISE_CONSOLE_BUNDLE=OFF).\nThe admin API is at /api/v1, its documentation at /docs.\n";

bool isHtml(const http::StaticAsset& asset) {
  return asset.content_type.starts_with("text/html");
}

}  // namespace

Console::Console(std::span<const http::StaticAsset> bundle, bool enabled)
    : bundle_(bundle), index_(bundle_.find("/index.html")), enabled_(enabled) {}

void Console::reserveRoutes(const http::Router& router) {
  fallback_.reserveRoutes(router.list());
}

Console::Resolution Console::resolve(std::string_view path) const {
  if (!enabled_) return {};
  if (index_ == nullptr) {
    return path == "/" ? Resolution{.answer = Answer::NoBundle} : Resolution{};
  }
  if (path == "/") return {.answer = Answer::Page, .asset = index_};
  if (const http::StaticAsset* file = bundle_.find(path)) {
    return {.answer = file == index_ ? Answer::Page : Answer::File, .asset = file};
  }
  if (fallback_.isPage(path)) return {.answer = Answer::Page, .asset = index_};
  return {};
}

boost::asio::awaitable<bool> Console::serve(net::HttpExchange& ex,
                                            http::RequestRecord& record) const {
  const auto method = ex.request().method();
  if (method != bhttp::verb::get && method != bhttp::verb::head) co_return false;
  const Resolution r = resolve(http::targetPath(ex.request().target()));
  switch (r.answer) {
    case Answer::None:
      co_return false;
    case Answer::NoBundle: {
      record.route = "console";
      co_await ex.respondRaw(404,
                             "Content-Type: text/plain; charset=utf-8\r\n"
                             "Cache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\n",
                             kNoBundle);
      co_return true;
    }
    case Answer::File:
    case Answer::Page:
      record.route = "console";
      co_await http::respondAsset(ex, *r.asset,
                                  isHtml(*r.asset) ? kPageHeaders : http::AssetHeaders{});
      co_return true;
  }
  co_return false;
}

}  // namespace poise::app
