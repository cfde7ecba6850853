#include "fakes/fake_resources.h"

#include <boost/json.hpp>
#include <charconv>
#include <chrono>
#include <ctime>

namespace poise::fakes {

namespace {

namespace json = boost::json;

std::string isoIn(std::chrono::seconds from_now) {
  const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + from_now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.000000Z", &tm);
  return buf;
}

// The first value of `name` among name/value pairs (headers, decoded query parameters).
std::string valueOf(const std::vector<std::pair<std::string, std::string>>& pairs,
                    std::string_view name) {
  for (const auto& [n, v] : pairs) {
    if (n == name) return v;
  }
  return {};
}

// A decimal count; 0 for anything else.
std::size_t number(std::string_view text) {
  std::size_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  return ec == std::errc{} && end == text.data() + text.size() ? n : 0;
}

std::string errorBody(const GeminiError& e) {
  return json::serialize(e.envelope);
}

ResourceReply errorReply(const GeminiError& e) {
  return ResourceReply{.status = e.http_status, .body = errorBody(e), .headers = {}};
}

GeminiError notVisible(std::string_view name) {
  if (name.starts_with("cachedContents/")) {
    return permissionDenied("CachedContent not found (or permission denied)");
  }
  // Google's wording for files; batches and interactions are assumed to say the same.
  const auto slash = name.find('/');
  std::string_view kind = "File";
  if (name.starts_with("batches/")) kind = "Batch";
  if (name.starts_with("interactions/")) kind = "Interaction";
  return permissionDenied("You do not have permission to access the " + std::string(kind) + " " +
                          std::string(name.substr(slash + 1)) + " or it may not exist.");
}

// The array a listing of `collection` answers with (batches are long-running operations).
std::string listField(std::string_view collection) {
  return collection == "batches" ? "operations" : std::string(collection);
}

// The path without its version ("/v1beta/files/x" → "files/x"), and whether it is an upload.
std::string_view apiPath(std::string_view path, bool& upload) {
  upload = path.starts_with("/upload/");
  if (upload) path.remove_prefix(7);
  for (std::string_view v : {"/v1beta/", "/v1alpha/", "/v1/"}) {
    if (path.starts_with(v)) return path.substr(v.size());
  }
  return {};
}

}  // namespace

bool FakeResources::serves(std::string_view path) {
  bool upload = false;
  const std::string_view rest = apiPath(path, upload);
  for (std::string_view c : {"files", "cachedContents", "batches", "interactions"}) {
    if (rest == c || (rest.starts_with(c) && rest.size() > c.size() && rest[c.size()] == '/')) {
      return true;
    }
  }
  return rest.starts_with("models/") && rest.ends_with(":batchGenerateContent");
}

ResourceReply FakeResources::handle(std::string_view method, std::string_view path,
                                    const std::vector<std::pair<std::string, std::string>>& query,
                                    const std::vector<std::pair<std::string, std::string>>& headers,
                                    std::string_view body, const std::string& key,
                                    std::string_view host) {
  bool upload = false;
  const std::string_view rest = apiPath(path, upload);
  std::lock_guard lock(mu_);

  if (upload && method == "POST") {
    const std::string upload_id = valueOf(query, "upload_id");
    if (upload_id.empty()) {
      if (valueOf(headers, "x-goog-upload-protocol") != "resumable" ||
          valueOf(headers, "x-goog-upload-command") != "start") {
        return errorReply(plainError(400, "Unsupported upload protocol."));
      }
      Upload u;
      u.key = key;
      u.mime_type = valueOf(headers, "x-goog-upload-header-content-type");
      boost::system::error_code ec;
      const json::value meta = json::parse(body, ec);
      if (!ec && meta.is_object()) {
        if (const auto* f = meta.as_object().if_contains("file"); f && f->is_object()) {
          if (const auto* d = f->as_object().if_contains("displayName"); d && d->is_string()) {
            u.display_name = std::string(d->as_string());
          }
        }
      }
      const std::string id = "UPLOAD-" + std::to_string(next_id_++) + "-secret";
      uploads_[id] = std::move(u);
      return ResourceReply{.status = 200,
                           .body = {},
                           .headers = {{"X-Goog-Upload-URL", "http://" + std::string(host) +
                                                                 "/upload/v1beta/files?upload_id=" +
                                                                 id + "&upload_protocol=resumable"},
                                       {"X-Goog-Upload-Status", "active"},
                                       {"X-Goog-Upload-Chunk-Granularity", "8388608"}}};
    }
    const auto it = uploads_.find(upload_id);
    if (it == uploads_.end() || it->second.key != key) {
      return errorReply(plainError(404, "Upload session not found."));
    }
    const std::string command = valueOf(headers, "x-goog-upload-command");
    if (command.find("upload") != std::string::npos) it->second.bytes.append(body);
    if (command.find("finalize") == std::string::npos) {
      return ResourceReply{
          .status = 200, .body = {}, .headers = {{"X-Goog-Upload-Status", "active"}}};
    }
    const std::string id = "fake" + std::to_string(next_id_++);
    json::object file{{"name", "files/" + id},
                      {"displayName", it->second.display_name},
                      {"mimeType", it->second.mime_type},
                      {"sizeBytes", std::to_string(it->second.bytes.size())},
                      {"createTime", isoIn(std::chrono::seconds(0))},
                      {"updateTime", isoIn(std::chrono::seconds(0))},
                      {"expirationTime", isoIn(std::chrono::hours(48))},
                      {"uri", "http://" + std::string(host) + "/v1beta/files/" + id},
                      {"state", "ACTIVE"},
                      {"source", "UPLOADED"}};
    items_["files/" + id] = Item{key, json::serialize(file)};
    uploads_.erase(it);
    json::object answer{{"file", std::move(file)}};
    return ResourceReply{.status = 200,
                         .body = json::serialize(answer),
                         .headers = {{"X-Goog-Upload-Status", "final"}}};
  }
  if (upload) return errorReply(plainError(404, "Not found."));

  if (rest.starts_with("models/") && method == "POST") {
    // models/{model}:batchGenerateContent: a batch, as the long-running operation naming it.
    const std::string model(rest.substr(0, rest.find(':')));
    const std::string name = "batches/fake" + std::to_string(next_id_++);
    json::object op{
        {"name", name},
        {"metadata",
         json::object{
             {"@type",
              "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch"},
             {"model", model},
             {"name", name},
             {"state", "BATCH_STATE_PENDING"},
             {"createTime", isoIn(std::chrono::seconds(0))}}}};
    items_[name] = Item{key, json::serialize(op)};
    return ResourceReply{.status = 200, .body = json::serialize(op), .headers = {}};
  }
  const auto slash = rest.find('/');
  const std::string collection(rest.substr(0, slash));
  if (slash == std::string_view::npos) {
    if (method == "GET") {
      std::size_t page_size = 10;
      if (const std::string ps = valueOf(query, "pageSize"); !ps.empty()) {
        page_size = std::max<std::size_t>(1, number(ps));
      }
      std::size_t start = 0;
      if (const std::string t = valueOf(query, "pageToken"); !t.empty()) {
        start = number(t.substr(1));
      }
      json::array items;
      std::size_t seen = 0;
      bool more = false;
      for (const auto& [name, item] : items_) {
        if (item.key != key || !name.starts_with(collection + "/")) continue;
        if (seen++ < start) continue;
        if (items.size() == page_size) {
          more = true;
          break;
        }
        items.push_back(json::parse(item.json));
      }
      json::object out;
      if (!items.empty()) out[listField(collection)] = std::move(items);
      if (more) out["nextPageToken"] = "p" + std::to_string(start + page_size);
      return ResourceReply{.status = 200, .body = json::serialize(out), .headers = {}};
    }
    if (method == "POST" && collection == "cachedContents") {
      boost::system::error_code ec;
      json::value v = json::parse(body, ec);
      if (ec || !v.is_object()) return errorReply(plainError(400, "Invalid JSON payload."));
      json::object& o = v.as_object();
      const std::string name = "cachedContents/fake" + std::to_string(next_id_++);
      json::object cache{{"name", name},
                         {"model", o.contains("model") ? o["model"] : json::value("")},
                         {"createTime", isoIn(std::chrono::seconds(0))},
                         {"updateTime", isoIn(std::chrono::seconds(0))},
                         {"expireTime", isoIn(std::chrono::hours(1))},
                         {"usageMetadata", json::object{{"totalTokenCount", 4096}}}};
      if (const auto* d = o.if_contains("displayName")) cache["displayName"] = *d;
      items_[name] = Item{key, json::serialize(cache)};
      return ResourceReply{.status = 200, .body = json::serialize(cache), .headers = {}};
    }
    if (method == "POST" && collection == "interactions") {
      boost::system::error_code ec;
      json::value v = json::parse(body, ec);
      if (ec || !v.is_object()) return errorReply(plainError(400, "Invalid JSON payload."));
      json::object& o = v.as_object();
      // A follow-up names its predecessor, which only its own key can see.
      if (const auto* prev = o.if_contains("previous_interaction_id"); prev && prev->is_string()) {
        const std::string previous = "interactions/" + std::string(prev->as_string());
        const auto it = items_.find(previous);
        if (it == items_.end() || it->second.key != key) return errorReply(notVisible(previous));
      }
      const std::string id = "v1_fake" + std::to_string(next_id_++);
      json::object interaction{
          {"id", id},
          {"object", "interaction"},
          {"status", "completed"},
          {"model", o.contains("model") ? o["model"] : json::value("")},
          {"outputs",
           json::array{json::object{{"type", "text"}, {"text", "Hello from the fake."}}}},
          {"created", isoIn(std::chrono::seconds(0))}};
      if (const auto* prev = o.if_contains("previous_interaction_id")) {
        interaction["previous_interaction_id"] = *prev;
      }
      items_["interactions/" + id] = Item{key, json::serialize(interaction)};
      return ResourceReply{.status = 200, .body = json::serialize(interaction), .headers = {}};
    }
    return errorReply(plainError(404, "Not found."));
  }
  const std::string name(rest.substr(0, rest.find(':')));
  const auto it = items_.find(name);
  if (it == items_.end() || it->second.key != key) return errorReply(notVisible(name));
  if (method == "GET") return ResourceReply{.status = 200, .body = it->second.json, .headers = {}};
  if (method == "DELETE") {
    items_.erase(it);
    return ResourceReply{.status = 200, .body = "{}", .headers = {}};
  }
  if (method == "POST" && rest.ends_with(":cancel")) {
    json::value v = json::parse(it->second.json);
    if (auto* meta = v.as_object().if_contains("metadata"); meta && meta->is_object()) {
      meta->as_object()["state"] = "BATCH_STATE_CANCELLED";
    }
    it->second.json = json::serialize(v);
    return ResourceReply{.status = 200, .body = "{}", .headers = {}};
  }
  if (method == "PATCH") {
    json::value v = json::parse(it->second.json);
    v.as_object()["expireTime"] = isoIn(std::chrono::hours(2));
    it->second.json = json::serialize(v);
    return ResourceReply{.status = 200, .body = it->second.json, .headers = {}};
  }
  return errorReply(plainError(404, "Not found."));
}

std::optional<GeminiError> FakeResources::checkReferences(const std::string& key,
                                                          std::string_view body) {
  if (body.find("files/") == std::string_view::npos &&
      body.find("cachedContents/") == std::string_view::npos) {
    return std::nullopt;
  }
  boost::system::error_code ec;
  const json::value v = json::parse(body, ec);
  if (ec) return std::nullopt;
  std::vector<std::string> names;
  auto walk = [&](auto&& self, const json::value& x) -> void {
    if (x.is_array()) {
      for (const auto& i : x.as_array()) self(self, i);
    } else if (x.is_object()) {
      for (const auto& [k, i] : x.as_object()) {
        if (i.is_string() && (k == "fileUri" || k == "file_uri")) {
          const std::string_view s = i.as_string();
          const auto pos = s.find("files/");
          if (pos != std::string_view::npos) names.emplace_back(s.substr(pos));
        } else if (i.is_string() && (k == "cachedContent" || k == "cached_content")) {
          names.emplace_back(i.as_string());
        } else {
          self(self, i);
        }
      }
    }
  };
  walk(walk, v);
  std::lock_guard lock(mu_);
  for (const auto& name : names) {
    const auto it = items_.find(name);
    if (it == items_.end() || it->second.key != key) return notVisible(name);
  }
  return std::nullopt;
}

void FakeResources::reset() {
  std::lock_guard lock(mu_);
  uploads_.clear();
  items_.clear();
}

}  // namespace poise::fakes
