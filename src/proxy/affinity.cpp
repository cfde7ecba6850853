#include "proxy/affinity.h"

#include <sodium/randombytes.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>

#include "core/encoding.h"

namespace poise::proxy {

namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

constexpr std::array<std::string_view, 4> kCollections{"files", "cachedContents", "batches",
                                                       "interactions"};
constexpr std::size_t kMaxIdLength = 200;
constexpr auto kDefaultLife = std::chrono::hours(48);

bool idChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

bool isResourceId(std::string_view id) {
  return !id.empty() && id.size() <= kMaxIdLength && id != "." && id != ".." &&
         std::all_of(id.begin(), id.end(), idChar);
}

// The path without its API version prefix ("/v1beta/files/x" → "files/x"); empty when the path is
// under none.
std::string_view withoutVersion(std::string_view path) {
  for (std::string_view v : {"/v1beta/", "/v1alpha/", "/v1/"}) {
    if (path.starts_with(v)) return path.substr(v.size());
  }
  return {};
}

std::optional<TimePoint> timeField(const json::object& o, std::string_view field) {
  const auto* v = o.if_contains(field);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  TimePoint t;
  if (!parseIso8601(v->as_string(), t)) return std::nullopt;
  return t;
}

std::optional<std::string> stringField(const json::object& o, std::string_view field) {
  const auto* v = o.if_contains(field);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string(v->as_string());
}

// "files/abc" from a fileUri: the bare name, or a URL whose path is "/<version>/files/abc".
std::optional<std::string> fileFromUri(std::string_view uri) {
  if (uri.starts_with("files/")) {
    return isResourceName(uri) ? std::optional<std::string>(uri) : std::nullopt;
  }
  const auto scheme = uri.find("://");
  if (scheme == std::string_view::npos) return std::nullopt;
  const std::string_view s = uri.substr(0, scheme);
  if (s != "https" && s != "http") return std::nullopt;
  const auto slash = uri.find('/', scheme + 3);
  if (slash == std::string_view::npos) return std::nullopt;
  std::string_view path = uri.substr(slash);
  path = path.substr(0, path.find_first_of("?#"));
  const std::string_view rest = withoutVersion(path);
  if (!rest.starts_with("files/") || !isResourceName(rest)) return std::nullopt;
  return std::string(rest);
}

void addOnce(std::vector<std::string>& out, std::string name) {
  if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(std::move(name));
}

void walk(const json::value& v, std::vector<std::string>& out, int depth) {
  if (depth > 64) return;
  if (v.is_array()) {
    for (const auto& item : v.as_array()) walk(item, out, depth + 1);
    return;
  }
  if (!v.is_object()) return;
  for (const auto& [k, item] : v.as_object()) {
    if (item.is_string()) {
      const std::string_view s = item.as_string();
      if (k == "fileUri" || k == "file_uri") {
        if (auto f = fileFromUri(s)) addOnce(out, std::move(*f));
      } else if (k == "cachedContent" || k == "cached_content") {
        if (isResourceName(s) && s.starts_with("cachedContents/")) addOnce(out, std::string(s));
      } else if (k == "previous_interaction_id" || k == "previousInteractionId") {
        std::string name = "interactions/" + std::string(s);
        if (isResourceName(name)) addOnce(out, std::move(name));
      }
      continue;
    }
    walk(item, out, depth + 1);
  }
}

std::string_view statusWord(keys::KeyStatus s) {
  switch (s) {
    case keys::KeyStatus::Active:
      return "active";
    case keys::KeyStatus::Exhausted:
      return "exhausted (out of quota)";
    case keys::KeyStatus::Error:
      return "in error (rejected by the upstream)";
    case keys::KeyStatus::Disabled:
      return "disabled";
  }
  return "unusable";
}

}  // namespace

bool isResourceName(std::string_view name) {
  const auto slash = name.find('/');
  if (slash == std::string_view::npos) return false;
  const std::string_view collection = name.substr(0, slash);
  if (std::find(kCollections.begin(), kCollections.end(), collection) == kCollections.end()) {
    return false;
  }
  return isResourceId(name.substr(slash + 1));
}

std::optional<std::string> resourceInPath(std::string_view path) {
  const std::string_view rest = withoutVersion(path);
  const auto slash = rest.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  std::string_view id = rest.substr(slash + 1);
  id = id.substr(0, id.find_first_of(":/"));
  std::string name(rest.substr(0, slash + 1));
  name.append(id);
  if (!isResourceName(name)) return std::nullopt;
  return name;
}

std::string_view listedCollection(std::string_view method, std::string_view path) {
  if (method != "GET") return {};
  const std::string_view rest = withoutVersion(path);
  for (std::string_view c : {"files", "cachedContents", "batches"}) {
    if (rest == c) return c;
  }
  return {};
}

Creation creationKind(std::string_view method, std::string_view path) {
  if (method != "POST") return Creation::None;
  const std::string_view rest = withoutVersion(path);
  if (rest == "cachedContents") return Creation::CachedContent;
  if (rest == "interactions") return Creation::Interaction;
  if (rest.starts_with("models/") &&
      (rest.ends_with(":batchGenerateContent") || rest.ends_with(":asyncBatchEmbedContent"))) {
    return Creation::Batch;
  }
  return Creation::None;
}

std::optional<CreatedResource> createdResource(Creation kind, std::string_view answer,
                                               TimePoint now) {
  if (kind == Creation::None) return std::nullopt;
  boost::system::error_code ec;
  json::monotonic_resource arena;
  const json::value v = json::parse(answer, ec, &arena);
  if (ec || !v.is_object()) return std::nullopt;
  const json::object* o = &v.as_object();
  CreatedResource out;
  out.expires_at = now + kDefaultLife;
  switch (kind) {
    case Creation::File: {
      if (const auto* file = o->if_contains("file"); file != nullptr && file->is_object()) {
        o = &file->as_object();
      }
      if (auto t = timeField(*o, "expirationTime")) out.expires_at = *t;
      out.name = stringField(*o, "name").value_or("");
      if (!out.name.starts_with("files/")) return std::nullopt;
      break;
    }
    case Creation::CachedContent:
      if (auto t = timeField(*o, "expireTime")) out.expires_at = *t;
      out.name = stringField(*o, "name").value_or("");
      if (!out.name.starts_with("cachedContents/")) return std::nullopt;
      break;
    case Creation::Batch:
      out.name = stringField(*o, "name").value_or("");
      if (!out.name.starts_with("batches/")) return std::nullopt;
      break;
    case Creation::Interaction:
      out.name = "interactions/" + stringField(*o, "id").value_or("");
      break;
    case Creation::None:
      return std::nullopt;
  }
  if (!isResourceName(out.name)) return std::nullopt;
  return out;
}

std::vector<std::string> referencedResources(std::string_view body) {
  std::vector<std::string> out;
  // Most bodies name no resource: skip the parse unless one of the fields could be there.
  const bool maybe = body.find("ileUri") != std::string_view::npos ||
                     body.find("ile_uri") != std::string_view::npos ||
                     body.find("ached") != std::string_view::npos ||
                     body.find("nteraction") != std::string_view::npos;
  if (!maybe) return out;
  boost::system::error_code ec;
  json::monotonic_resource arena;
  const json::value v = json::parse(body, ec, &arena);
  if (ec) return out;
  walk(v, out, 0);
  return out;
}

PinnedKey checkPinnedKey(const keys::KeyPool& pool, const Clock& clock, std::int64_t key_id,
                         std::string_view model) {
  PinnedKey out;
  const auto key = pool.get(key_id);
  if (!key) {
    out.status = 409;
    out.reason = "was deleted from the gateway";
    return out;
  }
  if (key->status != keys::KeyStatus::Active) {
    out.status = key->status == keys::KeyStatus::Exhausted ? 503 : 409;
    out.reason = "is " + std::string(statusWord(key->status));
    return out;
  }
  if (!model.empty()) {
    const std::string_view bare = keys::normalizeModel(model);
    const TimePoint now = clock.now();
    for (const auto& c : pool.cooldowns(key_id)) {
      if (keys::normalizeModel(c.model) == bare && c.until > now) {
        out.status = 503;
        out.reason = "is cooling down for this model (rate limited)";
        out.retry_after_seconds = std::max<std::int64_t>(
            1, std::chrono::ceil<std::chrono::seconds>(c.until - now).count());
        return out;
      }
    }
  }
  out.key = keys::KeyPick{key->id, key->value};
  return out;
}

std::string pinnedRefusal(std::string_view resource, std::string_view reason) {
  std::string out(kResourceKeyUnavailable);
  out.append(": ")
      .append(resource)
      .append(" belongs to the upstream key that created it, and that key ")
      .append(reason)
      .append("; the gateway does not try another key, which could not see it");
  return out;
}

std::string newHandle() {
  std::array<unsigned char, 32> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  return toBase64(bytes, Base64Alphabet::kUrlSafe, false);
}

bool isHandle(std::string_view text) {
  return text.size() == 43 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_';
         });
}

}  // namespace poise::proxy
