// FakeResources: the fake upstream's stateful resources, per API key as Google keeps them: files
// (the resumable upload protocol on /upload/v1beta/files, files.get/list/delete), cached
// contents (create/get/patch/delete/list), batches (models/*:batchGenerateContent answers the
// operation naming batches/…; get/cancel/delete/list) and interactions (POST /v1beta/interactions,
// get/delete; a previous_interaction_id of another key is refused). A resource is visible only to
// the key that created it; any other key gets Google's 403 "You do not have permission to access
// the File … or it may not exist." (wire-format.md). A generate call whose body names a file or a
// cache not visible to its key gets the same 403. Thread-safe (one mutex); no I/O.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fakes/gemini_errors.h"

namespace poise::fakes {

struct ResourceReply {
  unsigned status = 200;
  std::string body;                                          // JSON, or empty
  std::vector<std::pair<std::string, std::string>> headers;  // extra response headers
};

class FakeResources {
 public:
  // True for the paths this class serves (files, uploads, cachedContents, batches, interactions).
  static bool serves(std::string_view path);

  // Serves one authenticated request on a path serves() accepts. `host` is the request's Host
  // (upload URLs and file URIs point there); `headers` have lower-cased names; `query` holds the
  // decoded query parameters.
  ResourceReply handle(std::string_view method, std::string_view path,
                       const std::vector<std::pair<std::string, std::string>>& query,
                       const std::vector<std::pair<std::string, std::string>>& headers,
                       std::string_view body, const std::string& key, std::string_view host);

  // The 403 for a generate/count body naming a file or cache that `key` cannot see.
  std::optional<GeminiError> checkReferences(const std::string& key, std::string_view body);

  void reset();

 private:
  struct Upload {
    std::string key;
    std::string display_name;
    std::string mime_type;
    std::string bytes;
  };
  struct Item {
    std::string key;
    std::string json;  // the resource as served (serialized object)
  };

  std::mutex mu_;
  std::uint64_t next_id_ = 1;
  std::map<std::string, Upload> uploads_;  // by upload id
  std::map<std::string, Item> items_;      // by name ("files/…", "cachedContents/…")
};

}  // namespace poise::fakes
