// Static assets: files built into the binary (cmake/EmbedAssets.cmake makes the tables) and the
// one responder that serves them: ETag revalidation (304), gzip when the client accepts it, HEAD,
// cache lifetimes (a year, immutable, for fingerprinted files; revalidate every time for the
// rest) and the security headers a page needs (CSP, nosniff). Tables are immutable after start-up;
// everything here is safe from any thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "net/http_exchange.h"

namespace poise::http {

struct StaticAsset {
  std::string_view path;  // the URL path: "/docs/swagger-ui.css"
  std::string_view content_type;
  std::string_view bytes;
  std::string_view gzip;       // the bytes gzip-compressed; empty when not worth it
  std::string_view etag;       // strong and quoted: "\"3f2a…\""
  std::string_view gzip_etag;  // the gzip copy's
  bool immutable = false;      // fingerprinted: its URL changes when its bytes do
};

// Assets by URL path. The spans' assets must outlive the table (embedded tables are static).
class StaticAssets {
 public:
  StaticAssets() = default;
  explicit StaticAssets(std::span<const StaticAsset> assets);
  void add(std::span<const StaticAsset> assets);
  // The asset at `path`, or nullptr.
  const StaticAsset* find(std::string_view path) const;
  std::size_t size() const { return by_path_.size(); }

 private:
  std::unordered_map<std::string_view, const StaticAsset*> by_path_;
};

// Headers for a page and what it loads; empty members are not sent.
struct AssetHeaders {
  std::string_view content_security_policy;
  std::string_view referrer_policy;  // "no-referrer"
  std::string_view frame_options;    // X-Frame-Options: "DENY"
};

// The strong ETag of `bytes` ("\"<32 hex digits of SHA-256>\""), as embedded tables carry.
std::string strongEtag(std::string_view bytes);

// Whether an Accept-Encoding value accepts gzip (a `gzip` or `*` coding whose q is not 0).
bool acceptsGzip(std::string_view accept_encoding);

// Answers a GET or HEAD request with `asset`: 304 when If-None-Match names its ETag; the gzip copy
// when there is one and the client accepts it (with Vary: Accept-Encoding either way). Suspends.
boost::asio::awaitable<void> respondAsset(net::HttpExchange& ex, const StaticAsset& asset,
                                          const AssetHeaders& headers);

}  // namespace poise::http
