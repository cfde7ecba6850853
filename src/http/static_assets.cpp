#include "http/static_assets.h"

#include <boost/beast/core/string.hpp>

#include "core/digest.h"
#include "core/encoding.h"

namespace poise::http {

namespace bhttp = boost::beast::http;

StaticAssets::StaticAssets(std::span<const StaticAsset> assets) {
  add(assets);
}

void StaticAssets::add(std::span<const StaticAsset> assets) {
  for (const StaticAsset& a : assets) by_path_[a.path] = &a;
}

const StaticAsset* StaticAssets::find(std::string_view path) const {
  const auto it = by_path_.find(path);
  return it == by_path_.end() ? nullptr : it->second;
}

std::string strongEtag(std::string_view bytes) {
  const Sha256 digest = sha256(bytes);
  return "\"" + toHex(std::span(digest.data(), 16)) + "\"";
}

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Whether an If-None-Match value names `etag` (or is `*`); weak forms compare equal (RFC 9110
// §13.1.2 uses the weak comparison).
bool matchesEtag(std::string_view if_none_match, std::string_view etag) {
  while (!if_none_match.empty()) {
    const auto comma = if_none_match.find(',');
    std::string_view tag = trim(if_none_match.substr(0, comma));
    if (tag == "*") return true;
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == etag) return true;
    if (comma == std::string_view::npos) break;
    if_none_match.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

bool acceptsGzip(std::string_view accept_encoding) {
  while (!accept_encoding.empty()) {
    const auto comma = accept_encoding.find(',');
    const std::string_view item = trim(accept_encoding.substr(0, comma));
    const auto semi = item.find(';');
    const std::string_view coding = trim(item.substr(0, semi));
    if (boost::beast::iequals(coding, "gzip") || coding == "*") {
      if (semi == std::string_view::npos) return true;
      std::string_view q = trim(item.substr(semi + 1));
      // "q=0", "q=0.0", "q=0.000": refused; any other weight accepts.
      if (!(q.starts_with("q=0") || q.starts_with("Q=0")) ||
          q.find_first_of("123456789") != std::string_view::npos) {
        return true;
      }
    }
    if (comma == std::string_view::npos) break;
    accept_encoding.remove_prefix(comma + 1);
  }
  return false;
}

boost::asio::awaitable<void> respondAsset(net::HttpExchange& ex, const StaticAsset& asset,
                                          const AssetHeaders& headers) {
  const net::Request& req = ex.request();
  const bool gzip = !asset.gzip.empty() && acceptsGzip(req[bhttp::field::accept_encoding]);
  const std::string_view etag = gzip ? asset.gzip_etag : asset.etag;
  const std::string_view cache =
      asset.immutable ? "public, max-age=31536000, immutable" : "no-cache";
  const std::string_view body = gzip ? asset.gzip : asset.bytes;
  std::string fields;
  fields.reserve(512);
  auto line = [&fields](std::string_view name, std::string_view value) {
    fields.append(name).append(": ").append(value).append("\r\n");
  };
  if (matchesEtag(req[bhttp::field::if_none_match], etag)) {
    // The 200's validators and caching, no body; Content-Length is the 200's (respondRaw).
    line("ETag", etag);
    line("Cache-Control", cache);
    if (!asset.gzip.empty()) line("Vary", "Accept-Encoding");
    co_await ex.respondRaw(304, fields, body);
    co_return;
  }
  line("Content-Type", asset.content_type);
  line("ETag", etag);
  line("Cache-Control", cache);
  if (!asset.gzip.empty()) line("Vary", "Accept-Encoding");
  line("X-Content-Type-Options", "nosniff");
  if (!headers.content_security_policy.empty()) {
    line("Content-Security-Policy", headers.content_security_policy);
  }
  if (!headers.referrer_policy.empty()) line("Referrer-Policy", headers.referrer_policy);
  if (!headers.frame_options.empty()) line("X-Frame-Options", headers.frame_options);
  if (gzip) line("Content-Encoding", "gzip");
  co_await ex.respondRaw(200, fields, body);
}

}  // namespace poise::http
