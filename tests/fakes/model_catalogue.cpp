#include "fakes/model_catalogue.h"

#include <algorithm>

namespace poise::fakes {

namespace {

const std::vector<std::string> kChatMethods = {"generateContent", "countTokens",
                                               "createCachedContent", "batchGenerateContent"};

ModelInfo chatModel(std::string id, std::string version, std::string display_name,
                    std::string description, int output_limit, std::optional<int> top_k,
                    bool thinking) {
  return ModelInfo{.id = std::move(id),
                   .version = std::move(version),
                   .display_name = std::move(display_name),
                   .description = std::move(description),
                   .input_token_limit = 1048576,
                   .output_token_limit = output_limit,
                   .methods = kChatMethods,
                   .temperature = 1.0,
                   .top_p = 0.95,
                   .top_k = top_k,
                   .max_temperature = 2.0,
                   .thinking = thinking ? std::optional<bool>(true) : std::nullopt};
}

std::vector<ModelInfo> buildCatalogue() {
  std::vector<ModelInfo> models;
  models.push_back(chatModel("gemini-2.5-flash", "001", "Gemini 2.5 Flash",
                             "Stable version of Gemini 2.5 Flash, our mid-size multimodal model "
                             "that supports up to 1 million tokens, released in June of 2025.",
                             65536, 64, true));
  models.push_back(chatModel("gemini-2.5-pro", "2.5", "Gemini 2.5 Pro",
                             "Stable release (June 17th, 2025) of Gemini 2.5 Pro", 65536, 64,
                             true));
  models.push_back(chatModel("gemini-2.0-flash", "2.0", "Gemini 2.0 Flash", "Gemini 2.0 Flash",
                             8192, 40, false));
  models.push_back(chatModel("gemini-2.5-flash-lite", "001", "Gemini 2.5 Flash-Lite",
                             "Stable version of Gemini 2.5 Flash-Lite, released in July of 2025",
                             65536, 64, true));
  ModelInfo image = chatModel("gemini-2.5-flash-image", "2.0", "Nano Banana",
                              "Gemini 2.5 Flash Image", 32768, 64, false);
  image.input_token_limit = 32768;
  image.methods = {"generateContent", "countTokens", "batchGenerateContent"};
  models.push_back(std::move(image));
  models.push_back(chatModel("gemini-3-pro-preview", "3-pro-preview-11-2025",
                             "Gemini 3 Pro Preview", "Gemini 3 Pro Preview", 65536, 64, true));
  models.push_back(chatModel("gemini-3-flash-preview", "3-flash-preview-12-2025",
                             "Gemini 3 Flash Preview", "Gemini 3 Flash Preview", 65536, 64, true));
  // A model the gateway's static traits do not know: only the models list gives its limit.
  ModelInfo gemma = chatModel("gemma-3-27b-it", "001", "Gemma 3 27B", "", 8192, 64, false);
  gemma.input_token_limit = 131072;
  gemma.methods = {"generateContent", "countTokens"};
  models.push_back(std::move(gemma));
  models.push_back(ModelInfo{
      .id = "gemini-embedding-001",
      .version = "001",
      .display_name = "Gemini Embedding 001",
      .description = "Obtain a distributed representation of a text.",
      .input_token_limit = 2048,
      .output_token_limit = 1,
      .methods = {"embedContent", "countTextTokens", "countTokens", "asyncBatchEmbedContent"},
      .embedding_dimensions = 3072});
  models.push_back(ModelInfo{.id = "text-embedding-004",
                             .version = "004",
                             .display_name = "Text Embedding 004",
                             .description = "Obtain a distributed representation of a text.",
                             .input_token_limit = 2048,
                             .output_token_limit = 1,
                             .methods = {"embedContent"},
                             .embedding_dimensions = 768});
  return models;
}

bool lists(const ModelInfo& model, std::string_view method) {
  return std::find(model.methods.begin(), model.methods.end(), method) != model.methods.end();
}

}  // namespace

const std::vector<ModelInfo>& modelCatalogue() {
  static const std::vector<ModelInfo> kModels = buildCatalogue();
  return kModels;
}

const ModelInfo* findModel(std::string_view id) {
  for (const auto& m : modelCatalogue()) {
    if (m.id == id) return &m;
  }
  return nullptr;
}

bool supportsMethod(const ModelInfo& model, std::string_view method) {
  if (method == "streamGenerateContent") return lists(model, "generateContent");
  if (method == "batchEmbedContents") return lists(model, "embedContent");
  if (method == "countTokens") return true;
  return lists(model, method);
}

boost::json::object modelToJson(const ModelInfo& model) {
  boost::json::object o;
  o["name"] = "models/" + model.id;
  o["version"] = model.version;
  o["displayName"] = model.display_name;
  o["description"] = model.description;
  o["inputTokenLimit"] = model.input_token_limit;
  o["outputTokenLimit"] = model.output_token_limit;
  boost::json::array methods;
  for (const auto& m : model.methods) methods.emplace_back(m);
  o["supportedGenerationMethods"] = std::move(methods);
  if (model.temperature) o["temperature"] = *model.temperature;
  if (model.top_p) o["topP"] = *model.top_p;
  if (model.top_k) o["topK"] = *model.top_k;
  if (model.max_temperature) o["maxTemperature"] = *model.max_temperature;
  if (model.thinking) o["thinking"] = *model.thinking;
  return o;
}

}  // namespace poise::fakes
