#include "protocols/anthropic/messages_request.h"

#include <map>

#include "core/model_id.h"
#include "protocols/gemini/function_calling.h"
#include "protocols/gemini/model_traits.h"
#include "protocols/gemini/request_builder.h"
#include "protocols/json_fields.h"

namespace poise::protocols {

namespace {

std::string geminiModelFor(std::string_view name, const MessagesRequestOptions& options) {
  if (findAlias(name, options.model_aliases) != nullptr) {
    return resolveModel(name, options.model_aliases);
  }
  if (!name.starts_with("claude")) return std::string(stripModelsPrefix(name));
  const ClaudeModelMap& m = options.claude_models;
  const std::string& target = name.find("opus") != std::string_view::npos     ? m.opus
                              : name.find("sonnet") != std::string_view::npos ? m.sonnet
                              : name.find("haiku") != std::string_view::npos  ? m.haiku
                                                                              : m.other;
  return std::string(stripModelsPrefix(target));
}

class MessagesRequestReader : RequestReaderBase {
 public:
  MessagesRequestReader(const json::object& body, const MessagesRequestOptions& options)
      : body_(body), options_(options) {}

  Result<MessagesTranslation> read() {
    if (!readModel() || !readSystem() || !readMessages() || !readTools() || !readToolChoice() ||
        !readGenerationConfig() || !readThinking()) {
      return error_;
    }
    builder_.buildInto(out_.request);
    return std::move(out_);
  }

 private:
  bool readModel() {
    std::optional<std::string_view> model;
    std::optional<bool> stream;
    if (!take(optionalString(body_, "model", ""), model) ||
        !take(optionalBool(body_, "stream", ""), stream)) {
      return false;
    }
    if (!model || model->empty()) return fail("model: Field required");
    out_.response.client_model = std::string(*model);
    out_.model = geminiModelFor(*model, options_);
    if (out_.model.empty()) return fail("model: Field required");
    if (!isValidClientModel(*model, options_.model_aliases) || !isGeminiModelId(out_.model)) {
      return fail(std::string(kInvalidModelMessage));
    }
    out_.stream = stream.value_or(false);
    traits_ = modelTraits(out_.model);
    return true;
  }

  bool readSystem() {
    const json::value* system = field(body_, "system");
    if (system == nullptr) return true;
    if (system->is_string()) {
      if (!system->get_string().empty()) builder_.addSystemText(system->get_string());
      return true;
    }
    if (!system->is_array()) return fail("system must be a string or an array of text blocks");
    const json::array& blocks = system->get_array();
    for (std::size_t i = 0; i < blocks.size(); ++i) {
      const std::string path = indexPath("system", i);
      const json::object* b = blocks[i].if_object();
      if (b == nullptr) return fail(path + " must be an object");
      std::optional<std::string_view> type;
      std::optional<std::string_view> text;
      if (!take(optionalString(*b, "type", path), type) ||
          !take(optionalString(*b, "text", path), text)) {
        return false;
      }
      if (type != "text" || !text) return fail(path + " must be a text block");
      if (!text->empty()) builder_.addSystemText(*text);
    }
    return true;
  }

  bool readMessages() {
    return forEachObject(
        body_, "messages", true, [&](const json::object& msg, const std::string& path) {
          std::optional<std::string_view> role;
          if (!take(optionalString(msg, "role", path), role)) return false;
          if (role != "user" && role != "assistant") {
            return fail(path + ".role must be user or assistant");
          }
          const bool assistant = *role == "assistant";
          const json::value* content = field(msg, "content");
          json::array parts;
          if (content == nullptr) return fail(path + ".content: Field required");
          if (content->is_string()) {
            if (!content->get_string().empty()) parts.push_back(json::object{{"text", *content}});
          } else if (content->is_array()) {
            const json::array& blocks = content->get_array();
            for (std::size_t j = 0; j < blocks.size(); ++j) {
              if (!readBlock(blocks[j], indexPath(path + ".content", j), assistant, parts)) {
                return false;
              }
            }
          } else {
            return fail(path + ".content must be a string or an array of blocks");
          }
          if (assistant) signFirstFunctionCall(parts, traits_);
          builder_.appendTurn(assistant ? "model" : "user", std::move(parts));
          return true;
        });
  }

  bool readBlock(const json::value& v, const std::string& path, bool assistant,
                 json::array& parts) {
    const json::object* b = v.if_object();
    if (b == nullptr) return fail(path + " must be an object");
    std::optional<std::string_view> type;
    if (!take(optionalString(*b, "type", path), type)) return false;
    if (!type) return fail(path + ".type: Field required");
    if (*type == "text") {
      std::optional<std::string_view> text;
      if (!take(optionalString(*b, "text", path), text)) return false;
      if (!text) return fail(path + ".text: Field required");
      if (!text->empty()) parts.push_back(json::object{{"text", *text}});
      return true;
    }
    if (*type == "thinking" || *type == "redacted_thinking") {
      // Gemini does not take thought text back; its signatures travel on the tool_use ids.
      return true;
    }
    if (*type == "image" || *type == "document") {
      if (assistant) return fail(path + ": " + std::string(*type) + " blocks belong to user turns");
      return readMedia(*b, path, parts);
    }
    if (*type == "tool_use") {
      if (!assistant) return fail(path + ": tool_use blocks belong to assistant turns");
      std::optional<std::string_view> id;
      std::optional<std::string_view> name;
      if (!take(optionalString(*b, "id", path), id) ||
          !take(optionalString(*b, "name", path), name)) {
        return false;
      }
      if (!id || id->empty() || !name || name->empty()) {
        return fail(path + ": tool_use needs id and name");
      }
      json::object args;
      if (const json::value* input = field(*b, "input")) {
        if (!input->is_object()) return fail(path + ".input must be an object");
        args = input->get_object();
      }
      tool_names_[std::string(*id)] = std::string(*name);
      parts.push_back(functionCallPart(*name, std::move(args), *id, ""));
      return true;
    }
    if (*type == "tool_result") {
      if (assistant) return fail(path + ": tool_result blocks belong to user turns");
      return readToolResult(*b, path, parts);
    }
    return fail(path + ".type \"" + std::string(type->substr(0, 40)) +
                "\" is not supported (text, image, document, tool_use, tool_result, thinking)");
  }

  bool readMedia(const json::object& b, const std::string& path, json::array& parts) {
    const json::value* source = field(b, "source");
    if (source == nullptr || !source->is_object()) return fail(path + ".source: Field required");
    const json::object& s = source->get_object();
    std::optional<std::string_view> type;
    std::optional<std::string_view> media_type;
    std::optional<std::string_view> data;
    if (!take(optionalString(s, "type", path + ".source"), type) ||
        !take(optionalString(s, "media_type", path + ".source"), media_type) ||
        !take(optionalString(s, "data", path + ".source"), data)) {
      return false;
    }
    if (type == "base64") {
      if (!media_type || media_type->empty() || !data || data->empty()) {
        return fail(path + ".source needs media_type and data");
      }
      parts.push_back(inlineDataPart(*media_type, *data));
      return true;
    }
    if (type == "text" && data) {
      if (!data->empty()) parts.push_back(json::object{{"text", *data}});
      return true;
    }
    return fail(path +
                ".source.type must be base64 (or text for documents); URL and file "
                "sources are not supported");
  }

  bool readToolResult(const json::object& b, const std::string& path, json::array& parts) {
    std::optional<std::string_view> id;
    std::optional<bool> is_error;
    if (!take(optionalString(b, "tool_use_id", path), id) ||
        !take(optionalBool(b, "is_error", path), is_error)) {
      return false;
    }
    if (!id || id->empty()) return fail(path + ".tool_use_id: Field required");
    auto it = tool_names_.find(*id);
    if (it == tool_names_.end()) {
      return fail(path + ".tool_use_id \"" + std::string(id->substr(0, 80)) +
                  "\" does not match a tool_use block of an earlier assistant turn");
    }
    std::string text;
    json::array media;
    if (const json::value* content = field(b, "content")) {
      if (content->is_string()) {
        text = std::string(content->get_string());
      } else if (content->is_array()) {
        const json::array& blocks = content->get_array();
        for (std::size_t j = 0; j < blocks.size(); ++j) {
          const std::string p = indexPath(path + ".content", j);
          const json::object* cb = blocks[j].if_object();
          if (cb == nullptr) return fail(p + " must be an object");
          std::optional<std::string_view> type;
          if (!take(optionalString(*cb, "type", p), type)) return false;
          if (type == "text") {
            std::optional<std::string_view> t;
            if (!take(optionalString(*cb, "text", p), t)) return false;
            text += t.value_or("");
          } else if (type == "image" || type == "document") {
            if (!readMedia(*cb, p, media)) return false;
          } else {
            return fail(p + ".type must be text, image or document");
          }
        }
      } else {
        return fail(path + ".content must be a string or an array of blocks");
      }
    }
    parts.push_back(
        functionResponsePart(it->second, *id, toolOutputValue(text), is_error.value_or(false)));
    for (json::value& m : media) parts.push_back(std::move(m));
    return true;
  }

  bool readTools() {
    return forEachObject(
        body_, "tools", false, [&](const json::object& t, const std::string& path) {
          std::optional<std::string_view> type;
          std::optional<std::string_view> name;
          std::optional<std::string_view> description;
          if (!take(optionalString(t, "type", path), type) ||
              !take(optionalString(t, "name", path), name) ||
              !take(optionalString(t, "description", path), description)) {
            return false;
          }
          if (type && *type != "custom") {
            return fail(path + ".type \"" + std::string(type->substr(0, 60)) +
                        "\": Anthropic server tools are not supported; only custom tools are");
          }
          auto st = builder_.declareFunction(name.value_or(""), description.value_or(""),
                                             field(t, "input_schema"), path + ".name");
          return st ? true : fail(st.error());
        });
  }

  bool readToolChoice() {
    const json::value* choice = field(body_, "tool_choice");
    if (choice == nullptr) return true;
    const json::object* c = choice->if_object();
    if (c == nullptr) return fail("tool_choice must be an object");
    std::optional<std::string_view> type;
    std::optional<std::string_view> name;
    if (!take(optionalString(*c, "type", "tool_choice"), type) ||
        !take(optionalString(*c, "name", "tool_choice"), name)) {
      return false;
    }
    std::string_view mode;
    json::array allowed;
    if (type == "auto") {
      mode = "AUTO";
    } else if (type == "any") {
      mode = "ANY";
    } else if (type == "none") {
      mode = "NONE";
    } else if (type == "tool") {
      if (!name || !builder_.isDeclared(*name)) {
        return fail("tool_choice.name must name one of the tools");
      }
      mode = "ANY";
      allowed.push_back(json::string(*name));
    } else {
      return fail("tool_choice.type must be auto, any, tool or none");
    }
    if (auto st = builder_.setCallingMode(mode, std::move(allowed)); !st) return fail(st.error());
    return true;
  }

  bool readGenerationConfig() {
    std::optional<std::int64_t> max_tokens;
    std::optional<std::int64_t> top_k;
    std::optional<double> temperature;
    std::optional<double> top_p;
    if (!take(optionalInteger(body_, "max_tokens", ""), max_tokens) ||
        !take(optionalInteger(body_, "top_k", ""), top_k) ||
        !take(optionalNumber(body_, "temperature", ""), temperature) ||
        !take(optionalNumber(body_, "top_p", ""), top_p)) {
      return false;
    }
    if (!max_tokens) return fail("max_tokens: Field required");
    if (*max_tokens < 1) return fail("max_tokens must be at least 1");
    builder_.generationConfig()["maxOutputTokens"] = *max_tokens;
    if (temperature) builder_.generationConfig()["temperature"] = *body_.if_contains("temperature");
    if (top_p) builder_.generationConfig()["topP"] = *body_.if_contains("top_p");
    if (top_k) builder_.generationConfig()["topK"] = *top_k;
    if (const json::value* stop = field(body_, "stop_sequences")) {
      if (auto st = builder_.setStopSequences(*stop, "stop_sequences", false); !st) {
        return fail(st.error());
      }
    }
    return true;
  }

  bool readThinking() {
    const json::value* thinking = field(body_, "thinking");
    if (thinking == nullptr) return true;
    const json::object* t = thinking->if_object();
    if (t == nullptr) return fail("thinking must be an object");
    std::optional<std::string_view> type;
    std::optional<std::int64_t> budget;
    if (!take(optionalString(*t, "type", "thinking"), type) ||
        !take(optionalInteger(*t, "budget_tokens", "thinking"), budget)) {
      return false;
    }
    std::optional<json::object> config;
    bool include = false;
    if (type == "enabled") {
      if (!budget) return fail("thinking.budget_tokens: Field required");
      config = thinkingForBudget(*budget, traits_);
      include = true;
    } else if (type == "adaptive") {
      if (traits_.thinking != ThinkingControl::kNone) config = json::object{};
      include = true;
    } else if (type == "disabled") {
      config = thinkingForBudget(0, traits_);
    } else {
      return fail("thinking.type must be enabled, disabled or adaptive");
    }
    if (!config) return true;  // the model has no thinking controls
    if (include) {
      (*config)["includeThoughts"] = true;
      out_.response.include_thinking = true;
    }
    builder_.generationConfig()["thinkingConfig"] = std::move(*config);
    return true;
  }

  const json::object& body_;
  const MessagesRequestOptions& options_;
  MessagesTranslation out_;
  ModelTraits traits_;
  GenerateRequestBuilder builder_;
  std::map<std::string, std::string, std::less<>> tool_names_;  // tool_use id → name
};

}  // namespace

Result<MessagesTranslation> translateMessagesRequest(const json::value& body,
                                                     const MessagesRequestOptions& options) {
  if (!body.is_object()) return invalidRequest("the body must be a JSON object");
  return MessagesRequestReader(body.get_object(), options).read();
}

}  // namespace poise::protocols
