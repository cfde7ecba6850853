#include "protocols/openai/models.h"

#include <boost/json/array.hpp>
#include <set>
#include <string>

#include "protocols/json_fields.h"

namespace poise::protocols {

namespace json = boost::json;

namespace {

json::object modelObject(std::string_view id) {
  json::object m;
  m["id"] = id;
  m["object"] = "model";
  m["created"] = 0;
  m["owned_by"] = "google";
  return m;
}

bool servesOpenAiRoutes(const json::object& model) {
  const json::value* methods = model.if_contains("supportedGenerationMethods");
  if (methods == nullptr || !methods->is_array()) return true;  // unknown: keep it
  for (const json::value& m : methods->get_array()) {
    if (!m.is_string()) continue;
    const std::string_view s = m.get_string();
    if (s == "generateContent" || s == "embedContent" || s == "predict") return true;
  }
  return false;
}

const json::array* modelsOf(const json::value& page) {
  if (!page.is_object()) return nullptr;
  const json::value* models = page.get_object().if_contains("models");
  if (models == nullptr) return nullptr;
  return models->if_array();
}

}  // namespace

std::string_view nextPageToken(const json::value& page) {
  if (!page.is_object()) return {};
  const json::value* token = page.get_object().if_contains("nextPageToken");
  if (token == nullptr || !token->is_string()) return {};
  return token->get_string();
}

Result<json::object> mergeModelPages(std::span<const json::value> pages) {
  json::array models;
  std::set<std::string, std::less<>> seen;
  for (const json::value& page : pages) {
    if (!page.is_object()) return upstreamInvalid("a model list page is not an object");
    const json::value* list = page.get_object().if_contains("models");
    if (list == nullptr) continue;  // an empty last page may omit "models"
    if (!list->is_array()) return upstreamInvalid("a model list page has no models array");
    for (const json::value& m : list->get_array()) {
      const json::value* name = m.is_object() ? m.get_object().if_contains("name") : nullptr;
      if (name == nullptr || !name->is_string()) continue;
      if (seen.insert(std::string(name->get_string())).second) models.push_back(m);
    }
  }
  return json::object{{"models", std::move(models)}};
}

Result<json::object> toOpenAiModelList(const json::value& gemini_list, const ModelAliases* aliases,
                                       bool only_listed_targets) {
  const json::array* models = modelsOf(gemini_list);
  if (models == nullptr && !(gemini_list.is_object() && gemini_list.get_object().empty())) {
    return upstreamInvalid("the model list has no models array");
  }
  json::array data;
  std::set<std::string, std::less<>> listed;
  if (models != nullptr) {
    for (const json::value& m : *models) {
      if (!m.is_object()) continue;
      const json::value* name = m.get_object().if_contains("name");
      if (name == nullptr || !name->is_string() || !servesOpenAiRoutes(m.get_object())) continue;
      const std::string id(stripModelsPrefix(name->get_string()));
      if (id.empty() || !listed.insert(id).second) continue;
      data.push_back(modelObject(id));
    }
  }
  if (aliases != nullptr) {
    for (const auto& [alias, target] : *aliases) {
      if (listed.contains(alias)) continue;
      if (only_listed_targets && !listed.contains(stripModelsPrefix(target))) continue;
      data.push_back(modelObject(alias));
    }
  }
  return json::object{{"object", "list"}, {"data", std::move(data)}};
}

Result<json::object> toOpenAiModel(const json::value& gemini_model, std::string_view id) {
  const json::value* name =
      gemini_model.is_object() ? gemini_model.get_object().if_contains("name") : nullptr;
  if (name == nullptr || !name->is_string()) return upstreamInvalid("the model has no name");
  return modelObject(id.empty() ? stripModelsPrefix(name->get_string()) : id);
}

}  // namespace poise::protocols
