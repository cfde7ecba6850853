#include "protocols/model_name.h"

#include "core/model_id.h"

namespace poise::protocols {

namespace {
constexpr std::string_view kPrefix = "models/";
}

std::string_view stripModelsPrefix(std::string_view name) {
  if (name.starts_with(kPrefix)) name.remove_prefix(kPrefix.size());
  return name;
}

std::string withModelsPrefix(std::string_view name) {
  if (name.starts_with(kPrefix)) return std::string(name);
  std::string out(kPrefix);
  out += name;
  return out;
}

const std::string* findAlias(std::string_view client_model, const ModelAliases* aliases) {
  if (aliases == nullptr) return nullptr;
  if (auto it = aliases->find(client_model); it != aliases->end()) return &it->second;
  if (auto it = aliases->find(stripModelsPrefix(client_model)); it != aliases->end()) {
    return &it->second;
  }
  return nullptr;
}

std::string resolveModel(std::string_view client_model, const ModelAliases* aliases) {
  if (const std::string* target = findAlias(client_model, aliases)) {
    return std::string(stripModelsPrefix(*target));
  }
  return std::string(stripModelsPrefix(client_model));
}

bool isValidClientModel(std::string_view client_model, const ModelAliases* aliases) {
  return isGeminiModelId(resolveModel(client_model, aliases));
}

}  // namespace poise::protocols
