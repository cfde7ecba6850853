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
    if (!readModel() || !readSystem() || !readOutputConfig(body_, "") || !readMessages() ||
        !readTools() || !readToolChoice() || !readGenerationConfig() || !readThinking() ||
        !readOutputFormat()) {
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
    return system == nullptr || readSystemContent(*system, "system");
  }

  // A system prompt (string or text blocks), appended to systemInstruction. `where` names it.
  bool readSystemContent(const json::value& system, const std::string& where) {
    if (system.is_string()) {
      if (!system.get_string().empty()) builder_.addSystemText(system.get_string());
      return true;
    }
    if (!system.is_array()) return fail(where + " must be a string or an array of text blocks");
    const json::array& blocks = system.get_array();
    for (std::size_t i = 0; i < blocks.size(); ++i) {
      const std::string path = indexPath(where, i);
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

  // output_config {effort, format} of the body (`path` "") or of a system-role message (Claude
  // Code's per-turn control, which applies from that turn on): each field present replaces the
  // one read before, so the latest settings govern the reply. The older structured-outputs beta
  // sent the format as a top-level output_format.
  bool readOutputConfig(const json::object& holder, const std::string& path) {
    if (path.empty()) {
      if (const json::value* format = field(body_, "output_format")) {
        format_ = format;
        format_path_ = "output_format";
      }
    }
    const json::value* oc = field(holder, "output_config");
    if (oc == nullptr) return true;
    const std::string where = joinPath(path, "output_config");
    const json::object* o = oc->if_object();
    if (o == nullptr) return fail(where + " must be an object");
    std::optional<std::string_view> effort;
    if (!take(optionalString(*o, "effort", where), effort)) return false;
    if (effort && !take(thinkingForEffort(*effort, traits_, where + ".effort"), effort_config_)) {
      return false;
    }
    if (const json::value* format = field(*o, "format")) {
      format_ = format;
      format_path_ = where + ".format";
    }
    return true;
  }

  bool readMessages() {
    return forEachObject(
        body_, "messages", true, [&](const json::object& msg, const std::string& path) {
          std::optional<std::string_view> role;
          if (!take(optionalString(msg, "role", path), role)) return false;
          if (role == "system") {
            // Folded into systemInstruction in order, after the top-level system.
            const json::value* content = field(msg, "content");
            if (content == nullptr) return fail(path + ".content: Field required");
            return readSystemContent(*content, path + ".content") && readOutputConfig(msg, path);
          }
          if (role != "user" && role != "assistant") {
            return fail(path + ".role must be user, assistant or system");
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
    if (!max_tokens && !options_.count_tokens) return fail("max_tokens: Field required");
    if (max_tokens) {
      if (*max_tokens < 1) return fail("max_tokens must be at least 1");
      out_.requested_max_tokens = *max_tokens;
      builder_.generationConfig()["maxOutputTokens"] =
          clampOutputTokens(*max_tokens, out_.model, options_.output_token_limits);
    }
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

  // thinking and output_config.effort → thinkingConfig. An explicit budget (enabled) or
  // disabled wins over effort; adaptive, or no thinking field, thinks as much as the effort says
  // (the model's own default without one). Thoughts are shown for enabled and adaptive, unless
  // display is "omitted".
  bool readThinking() {
    std::optional<std::string_view> type;
    std::optional<std::int64_t> budget;
    std::optional<std::string_view> display;
    if (const json::value* thinking = field(body_, "thinking")) {
      const json::object* t = thinking->if_object();
      if (t == nullptr) return fail("thinking must be an object");
      if (!take(optionalString(*t, "type", "thinking"), type) ||
          !take(optionalInteger(*t, "budget_tokens", "thinking"), budget) ||
          !take(optionalString(*t, "display", "thinking"), display)) {
        return false;
      }
    }
    std::optional<json::object> config;
    bool include = false;
    if (!type) {
      config = std::move(effort_config_);
    } else if (type == "enabled") {
      if (!budget) return fail("thinking.budget_tokens: Field required");
      config = thinkingForBudget(*budget, traits_);
      include = true;
    } else if (type == "adaptive") {
      config = std::move(effort_config_);
      if (!config && traits_.thinking != ThinkingControl::kNone) config = json::object{};
      include = true;
    } else if (type == "disabled") {
      config = thinkingForBudget(0, traits_);
    } else {
      return fail("thinking.type must be enabled, disabled or adaptive");
    }
    if (!config) return true;  // the model has no thinking controls
    const json::value* budget_set = config->if_contains("thinkingBudget");
    const bool off =
        budget_set != nullptr && budget_set->is_int64() && budget_set->get_int64() == 0;
    if (include && display != "omitted" && !off) {
      (*config)["includeThoughts"] = true;
      out_.response.include_thinking = true;
    }
    if (!config->empty()) builder_.generationConfig()["thinkingConfig"] = std::move(*config);
    return true;
  }

  // output_config.format {"type":"json_schema","schema":{…}} → JSON output with
  // responseJsonSchema, as OpenAI's response_format json_schema.
  bool readOutputFormat() {
    if (format_ == nullptr) return true;
    const json::object* f = format_->if_object();
    if (f == nullptr) return fail(format_path_ + " must be an object");
    std::optional<std::string_view> type;
    if (!take(optionalString(*f, "type", format_path_), type)) return false;
    if (type != "json_schema") return fail(format_path_ + ".type must be json_schema");
    const json::value* schema = field(*f, "schema");
    if (schema == nullptr || !schema->is_object()) {
      return fail(format_path_ + ".schema must be an object");
    }
    builder_.setJsonOutput(schema);
    return true;
  }

  const json::object& body_;
  const MessagesRequestOptions& options_;
  MessagesTranslation out_;
  ModelTraits traits_;
  GenerateRequestBuilder builder_;
  std::map<std::string, std::string, std::less<>> tool_names_;  // tool_use id → name
  std::optional<json::object> effort_config_;  // thinkingConfig for the latest effort, if any
  const json::value* format_ = nullptr;        // the latest output format, if any
  std::string format_path_;                    // where format_ came from, for messages
};

}  // namespace

Result<MessagesTranslation> translateMessagesRequest(const json::value& body,
                                                     const MessagesRequestOptions& options) {
  if (!body.is_object()) return invalidRequest("the body must be a JSON object");
  return MessagesRequestReader(body.get_object(), options).read();
}

}  // namespace poise::protocols
