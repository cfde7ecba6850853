#include "protocols/openai/chat_request.h"

#include <boost/json/parse.hpp>
#include <map>

#include "protocols/gemini/function_calling.h"
#include "protocols/gemini/model_traits.h"
#include "protocols/gemini/request_builder.h"
#include "protocols/json_fields.h"

namespace poise::protocols {

namespace {

// "thinking_budget" → "thinkingBudget", applied to every key of nested objects.
std::string camelCase(std::string_view key) {
  std::string out;
  bool upper = false;
  for (char c : key) {
    if (c == '_') {
      upper = !out.empty();
    } else {
      out += upper && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
      upper = false;
    }
  }
  return out;
}

json::value camelKeys(const json::value& v) {
  if (v.is_object()) {
    json::object out;
    for (const auto& [k, sub] : v.get_object()) out[camelCase(k)] = camelKeys(sub);
    return out;
  }
  if (v.is_array()) {
    json::array out;
    for (const json::value& sub : v.get_array()) out.push_back(camelKeys(sub));
    return out;
  }
  return v;
}

class ChatRequestReader : RequestReaderBase {
 public:
  ChatRequestReader(const json::object& body, const ChatRequestOptions& options)
      : body_(body), options_(options) {}

  Result<ChatTranslation> read() {
    if (!readModel() || !readStreamFlags() || !readMessages() || !readTools() ||
        !readToolChoice() || !readGenerationConfig() || !readResponseFormat() ||
        !readGoogleExtras() || !readReasoning()) {
      return error_;
    }
    builder_.buildInto(out_.request);
    return std::move(out_);
  }

 private:
  bool readModel() {
    if (!readModelField(body_, options_.model_aliases, out_.response.client_model, out_.model)) {
      return false;
    }
    traits_ = modelTraits(out_.model);
    out_.response.include_reasoning = options_.include_reasoning;
    return true;
  }

  bool readStreamFlags() {
    std::optional<bool> stream;
    if (!take(optionalBool(body_, "stream", ""), stream)) return false;
    out_.stream = stream.value_or(false);
    if (const json::value* so = field(body_, "stream_options")) {
      if (!so->is_object()) return fail("stream_options must be an object");
      std::optional<bool> usage;
      if (!take(optionalBool(so->get_object(), "include_usage", "stream_options"), usage)) {
        return false;
      }
      out_.include_usage = out_.stream && usage.value_or(false);
    }
    out_.response.include_usage = out_.include_usage;
    return true;
  }

  bool readMessages() {
    return forEachObject(body_, "messages", true,
                         [&](const json::object& msg, const std::string& path) {
                           std::optional<std::string_view> role;
                           if (!take(optionalString(msg, "role", path), role)) return false;
                           if (!role) return fail(path + ".role is required");
                           if (*role == "system" || *role == "developer")
                             return readSystem(msg, path);
                           if (*role == "user") return readUser(msg, path);
                           if (*role == "assistant") return readAssistant(msg, path);
                           if (*role == "tool" || *role == "function") {
                             return readToolResult(msg, path, *role == "function");
                           }
                           return fail(path + ".role \"" + std::string(role->substr(0, 40)) +
                                       "\" is not one of system, developer, user, assistant, tool");
                         });
  }

  // Text of a content that may only hold text: a string, or an array of text parts.
  bool readText(const json::object& msg, std::string_view path, std::string& text) {
    const json::value* content = field(msg, "content");
    if (content == nullptr) return true;
    if (content->is_string()) {
      text = std::string(content->get_string());
      return true;
    }
    if (!content->is_array()) return fail(std::string(path) + ".content must be a string or array");
    const json::array& parts = content->get_array();
    for (std::size_t j = 0; j < parts.size(); ++j) {
      const std::string part_path = indexPath(std::string(path) + ".content", j);
      if (!parts[j].is_object()) return fail(part_path + " must be an object");
      const json::object& part = parts[j].get_object();
      std::optional<std::string_view> type;
      if (!take(optionalString(part, "type", part_path), type)) return false;
      const std::string_view key = type.value_or("text") == "refusal" ? "refusal" : "text";
      if (type && *type != "text" && *type != "refusal") {
        return fail(part_path + ": only text parts are allowed here");
      }
      std::optional<std::string_view> t;
      if (!take(optionalString(part, key, part_path), t)) return false;
      text += t.value_or("");
    }
    return true;
  }

  bool readSystem(const json::object& msg, std::string_view path) {
    std::string text;
    if (!readText(msg, path, text)) return false;
    if (!text.empty()) builder_.addSystemText(text);
    return true;
  }

  bool readUser(const json::object& msg, std::string_view path) {
    const json::value* content = field(msg, "content");
    json::array parts;
    if (content == nullptr) {
      return fail(std::string(path) + ".content is required");
    } else if (content->is_string()) {
      if (!content->get_string().empty()) parts.push_back(json::object{{"text", *content}});
    } else if (content->is_array()) {
      if (!readUserParts(content->get_array(), std::string(path) + ".content", parts)) return false;
    } else {
      return fail(std::string(path) + ".content must be a string or array");
    }
    builder_.appendTurn("user", std::move(parts));
    return true;
  }

  bool readUserParts(const json::array& list, const std::string& path, json::array& parts) {
    for (std::size_t j = 0; j < list.size(); ++j) {
      const std::string p = indexPath(path, j);
      if (!list[j].is_object()) return fail(p + " must be an object");
      const json::object& part = list[j].get_object();
      std::optional<std::string_view> type;
      if (!take(optionalString(part, "type", p), type)) return false;
      if (!type) return fail(p + ".type is required");
      if (*type == "text") {
        std::optional<std::string_view> text;
        if (!take(optionalString(part, "text", p), text)) return false;
        if (!text) return fail(p + ".text is required");
        if (!text->empty()) parts.push_back(json::object{{"text", *text}});
      } else if (*type == "image_url") {
        const json::value* image = field(part, "image_url");
        std::string_view url;
        if (image != nullptr && image->is_string()) {
          url = image->get_string();
        } else if (image != nullptr && image->is_object()) {
          std::optional<std::string_view> u;
          if (!take(optionalString(image->get_object(), "url", p + ".image_url"), u)) return false;
          url = u.value_or("");
        }
        if (url.empty()) return fail(p + ".image_url.url is required");
        if (url.starts_with("http://") || url.starts_with("https://")) {
          return fail(p +
                      ".image_url.url: remote image URLs are not supported; send the image "
                      "inline as a data: URL (data:image/png;base64,...)");
        }
        auto data = parseDataUrl(url);
        if (!data) {
          return fail(p + ".image_url.url must be a base64 data: URL (data:<mime>;base64,<data>)");
        }
        parts.push_back(inlineDataPart(data->mime_type, data->data));
      } else if (*type == "input_audio") {
        const json::value* audio = field(part, "input_audio");
        if (audio == nullptr || !audio->is_object()) return fail(p + ".input_audio is required");
        std::optional<std::string_view> data;
        std::optional<std::string_view> format;
        if (!take(optionalString(audio->get_object(), "data", p + ".input_audio"), data) ||
            !take(optionalString(audio->get_object(), "format", p + ".input_audio"), format)) {
          return false;
        }
        if (!data || data->empty() || !format || format->empty()) {
          return fail(p + ".input_audio needs data and format");
        }
        parts.push_back(inlineDataPart("audio/" + std::string(*format), *data));
      } else if (*type == "file") {
        const json::value* file = field(part, "file");
        if (file == nullptr || !file->is_object()) return fail(p + ".file is required");
        std::optional<std::string_view> file_data;
        if (!take(optionalString(file->get_object(), "file_data", p + ".file"), file_data)) {
          return false;
        }
        auto data = file_data ? parseDataUrl(*file_data) : std::nullopt;
        if (!data) {
          return fail(p + ".file.file_data must be a base64 data: URL; file_id is not supported");
        }
        parts.push_back(inlineDataPart(data->mime_type, data->data));
      } else {
        return fail(p + ".type \"" + std::string(type->substr(0, 40)) +
                    "\" is not supported (text, image_url, input_audio, file)");
      }
    }
    return true;
  }

  bool readAssistant(const json::object& msg, std::string_view path) {
    std::string text;
    if (!readText(msg, path, text)) return false;
    json::array parts;
    if (!text.empty()) parts.push_back(json::object{{"text", text}});
    if (const json::value* calls = field(msg, "tool_calls")) {
      if (!calls->is_array()) return fail(std::string(path) + ".tool_calls must be an array");
      const json::array& list = calls->get_array();
      for (std::size_t j = 0; j < list.size(); ++j) {
        json::object part;
        if (!readToolCall(list[j], indexPath(std::string(path) + ".tool_calls", j), part)) {
          return false;
        }
        parts.push_back(std::move(part));
      }
    }
    signFirstFunctionCall(parts, traits_);
    builder_.appendTurn("model", std::move(parts));
    return true;
  }

  bool readToolCall(const json::value& v, const std::string& path, json::object& part) {
    if (!v.is_object()) return fail(path + " must be an object");
    const json::object& call = v.get_object();
    std::optional<std::string_view> id;
    if (!take(optionalString(call, "id", path), id)) return false;
    const json::value* fn = field(call, "function");
    if (fn == nullptr || !fn->is_object()) return fail(path + ".function is required");
    std::optional<std::string_view> name;
    if (!take(optionalString(fn->get_object(), "name", path + ".function"), name)) return false;
    if (!name || name->empty()) return fail(path + ".function.name is required");
    json::object args;
    if (const json::value* a = field(fn->get_object(), "arguments")) {
      if (a->is_object()) {
        args = a->get_object();
      } else if (a->is_string() && !a->get_string().empty()) {
        const json::value parsed = toolOutputValue(a->get_string());
        if (!parsed.is_object()) {
          return fail(path + ".function.arguments must be a JSON object (as a string)");
        }
        args = parsed.get_object();
      } else if (!a->is_string()) {
        return fail(path + ".function.arguments must be a string");
      }
    }
    std::string_view signature;
    if (const json::value* extra = field(call, "extra_content"); extra && extra->is_object()) {
      if (const json::value* g = field(extra->get_object(), "google"); g && g->is_object()) {
        if (const json::value* s = field(g->get_object(), "thought_signature");
            s && s->is_string()) {
          signature = s->get_string();
        }
      }
    }
    if (id && !id->empty()) call_names_[std::string(*id)] = std::string(*name);
    part = functionCallPart(*name, std::move(args), id.value_or(""), signature);
    return true;
  }

  bool readToolResult(const json::object& msg, std::string_view path, bool legacy_function) {
    std::string name;
    std::string_view call_id;
    if (legacy_function) {
      std::optional<std::string_view> n;
      if (!take(optionalString(msg, "name", path), n)) return false;
      if (!n || n->empty()) return fail(std::string(path) + ".name is required");
      name = std::string(*n);
    } else {
      std::optional<std::string_view> id;
      if (!take(optionalString(msg, "tool_call_id", path), id)) return false;
      if (!id || id->empty()) return fail(std::string(path) + ".tool_call_id is required");
      call_id = *id;
      if (auto it = call_names_.find(call_id); it != call_names_.end()) {
        name = it->second;
      } else {
        std::optional<std::string_view> n;
        if (!take(optionalString(msg, "name", path), n)) return false;
        if (!n || n->empty()) {
          return fail(std::string(path) + ".tool_call_id \"" + std::string(call_id.substr(0, 80)) +
                      "\" does not match a tool call of an earlier assistant message");
        }
        name = std::string(*n);
      }
    }
    std::string text;
    if (!readText(msg, path, text)) return false;
    json::array parts;
    parts.push_back(functionResponsePart(name, call_id, toolOutputValue(text), false));
    builder_.appendTurn("user", std::move(parts));
    return true;
  }

  bool readTools() {
    return forEachObject(
        body_, "tools", false, [&](const json::object& tool, const std::string& path) {
          std::optional<std::string_view> type;
          if (!take(optionalString(tool, "type", path), type)) return false;
          if (type && *type != "function") {
            return fail(path + ".type \"" + std::string(type->substr(0, 40)) +
                        "\" is not supported; only function tools are");
          }
          const json::value* fn = field(tool, "function");
          if (fn == nullptr || !fn->is_object()) return fail(path + ".function is required");
          const json::object& f = fn->get_object();
          std::optional<std::string_view> name;
          std::optional<std::string_view> description;
          if (!take(optionalString(f, "name", path + ".function"), name) ||
              !take(optionalString(f, "description", path + ".function"), description)) {
            return false;
          }
          auto st = builder_.declareFunction(name.value_or(""), description.value_or(""),
                                             field(f, "parameters"), path + ".function.name");
          return st ? true : fail(st.error());
        });
  }

  bool readToolChoice() {
    const json::value* choice = field(body_, "tool_choice");
    if (choice == nullptr) return true;
    std::string_view mode;
    json::array names;
    if (choice->is_string()) {
      mode = GenerateRequestBuilder::callingModeFor(choice->get_string());
      if (mode.empty()) {
        return fail("tool_choice must be auto, none, required or a function choice");
      }
    } else if (choice->is_object()) {
      const json::object& o = choice->get_object();
      std::optional<std::string_view> type;
      if (!take(optionalString(o, "type", "tool_choice"), type)) return false;
      if (type == "function") {
        const json::value* fn = field(o, "function");
        std::optional<std::string_view> name;
        if (fn != nullptr && fn->is_object() &&
            !take(optionalString(fn->get_object(), "name", "tool_choice.function"), name)) {
          return false;
        }
        if (!name) return fail("tool_choice.function.name is required");
        if (!addAllowedName(*name, "tool_choice.function.name", names)) return false;
        mode = "ANY";
      } else if (type == "allowed_tools") {
        if (!readAllowedTools(o, mode, names)) return false;
      } else {
        return fail("tool_choice.type must be function or allowed_tools");
      }
    } else {
      return fail("tool_choice must be a string or an object");
    }
    if (auto st = builder_.setCallingMode(mode, std::move(names)); !st) return fail(st.error());
    return true;
  }

  // {type:"allowed_tools", allowed_tools:{mode:"auto"|"required", tools:[{type:"function",
  // function:{name}}]}}: "required" is ANY restricted to the names; "auto" keeps only those
  // declarations, since Gemini allows allowedFunctionNames with ANY only.
  bool readAllowedTools(const json::object& o, std::string_view& mode, json::array& names) {
    const json::value* at = field(o, "allowed_tools");
    if (at == nullptr || !at->is_object()) return fail("tool_choice.allowed_tools is required");
    std::optional<std::string_view> m;
    if (!take(optionalString(at->get_object(), "mode", "tool_choice.allowed_tools"), m)) {
      return false;
    }
    if (m != "auto" && m != "required") {
      return fail("tool_choice.allowed_tools.mode must be auto or required");
    }
    const json::value* tools = field(at->get_object(), "tools");
    if (tools == nullptr || !tools->is_array()) {
      return fail("tool_choice.allowed_tools.tools must be an array");
    }
    for (std::size_t i = 0; i < tools->get_array().size(); ++i) {
      const json::value& t = tools->get_array()[i];
      const std::string path = indexPath("tool_choice.allowed_tools.tools", i);
      const json::value* fn = t.is_object() ? field(t.get_object(), "function") : nullptr;
      const json::value* name =
          fn != nullptr && fn->is_object() ? field(fn->get_object(), "name") : nullptr;
      if (name == nullptr || !name->is_string()) return fail(path + ".function.name is required");
      if (!addAllowedName(name->get_string(), path + ".function.name", names)) return false;
    }
    mode = builder_.restrictToAllowed(*m == "required", names);
    return true;
  }

  bool addAllowedName(std::string_view name, const std::string& path, json::array& names) {
    auto st = builder_.allowName(name, path, names);
    return st ? true : fail(st.error());
  }

  bool copyNumber(std::string_view from, std::string_view to) {
    std::optional<double> v;
    if (!take(optionalNumber(body_, from, ""), v)) return false;
    if (v) builder_.generationConfig()[to] = *body_.if_contains(from);
    return true;
  }

  bool readGenerationConfig() {
    if (!copyNumber("temperature", "temperature") || !copyNumber("top_p", "topP") ||
        !copyNumber("presence_penalty", "presencePenalty") ||
        !copyNumber("frequency_penalty", "frequencyPenalty")) {
      return false;
    }
    std::optional<std::int64_t> top_k;
    std::optional<std::int64_t> max_tokens;
    std::optional<std::int64_t> max_completion;
    std::optional<std::int64_t> n;
    std::optional<std::int64_t> seed;
    if (!take(optionalInteger(body_, "top_k", ""), top_k) ||
        !take(optionalInteger(body_, "max_tokens", ""), max_tokens) ||
        !take(optionalInteger(body_, "max_completion_tokens", ""), max_completion) ||
        !take(optionalInteger(body_, "n", ""), n) ||
        !take(optionalInteger(body_, "seed", ""), seed)) {
      return false;
    }
    if (top_k) builder_.generationConfig()["topK"] = *top_k;
    if (max_completion) max_tokens = max_completion;
    if (max_tokens) {
      if (*max_tokens < 1) return fail("max_tokens must be at least 1");
      out_.requested_max_tokens = *max_tokens;
      builder_.generationConfig()["maxOutputTokens"] =
          clampOutputTokens(*max_tokens, out_.model, options_.output_token_limits);
    }
    if (n) {
      if (*n < 1 || *n > 8) return fail("n must be between 1 and 8");
      out_.candidate_count = static_cast<int>(*n);
      if (*n > 1) builder_.generationConfig()["candidateCount"] = *n;
    }
    if (seed) builder_.generationConfig()["seed"] = *seed;
    if (const json::value* stop = field(body_, "stop")) {
      if (auto st = builder_.setStopSequences(*stop, "stop", true); !st) return fail(st.error());
    }
    return true;
  }

  bool readResponseFormat() {
    const json::value* rf = field(body_, "response_format");
    if (rf == nullptr) return true;
    if (!rf->is_object()) return fail("response_format must be an object");
    std::optional<std::string_view> type;
    if (!take(optionalString(rf->get_object(), "type", "response_format"), type)) return false;
    if (type == "text") return true;
    if (type == "json_object") {
      builder_.setJsonOutput(nullptr);
      return true;
    }
    if (type == "json_schema") {
      const json::value* js = field(rf->get_object(), "json_schema");
      const json::value* schema =
          js != nullptr && js->is_object() ? field(js->get_object(), "schema") : nullptr;
      if (schema == nullptr || !schema->is_object()) {
        return fail("response_format.json_schema.schema must be an object");
      }
      builder_.setJsonOutput(schema);
      return true;
    }
    return fail("response_format.type must be text, json_object or json_schema");
  }

  bool readGoogleExtras() {
    const json::value* google = nullptr;
    if (const json::value* extra = field(body_, "extra_body")) {
      if (!extra->is_object()) return fail("extra_body must be an object");
      google = field(extra->get_object(), "google");
    }
    // The Python SDK merges extra_body into the top level, so "google" may sit there instead.
    if (google == nullptr) google = field(body_, "google");
    if (google == nullptr) return true;
    if (!google->is_object()) return fail("extra_body.google must be an object");
    for (const auto& [key, value] : google->get_object()) {
      const std::string name = camelCase(key);
      const std::string path = "extra_body.google." + std::string(key);
      if (value.is_null()) continue;
      if (name == "thinkingConfig") {
        if (!value.is_object()) return fail(path + " must be an object");
        json::value config = camelKeys(value);
        if (const json::value* inc = config.get_object().if_contains("includeThoughts");
            inc != nullptr && inc->is_bool() && inc->get_bool()) {
          out_.response.include_reasoning = true;
        }
        builder_.generationConfig()["thinkingConfig"] = std::move(config);
        thinking_from_extras_ = true;
      } else if (name == "cachedContent") {
        if (!value.is_string()) return fail(path + " must be a string");
        out_.request["cachedContent"] = value;
      } else if (name == "safetySettings") {
        if (!value.is_array()) return fail(path + " must be an array");
        out_.request["safetySettings"] = camelKeys(value);
      } else if (name == "responseModalities" || name == "imageConfig" ||
                 name == "mediaResolution" || name == "speechConfig" || name == "topK") {
        builder_.generationConfig()[name] = camelKeys(value);
      } else {
        return fail(path +
                    " is not supported (thinking_config, cached_content, "
                    "safety_settings, response_modalities, image_config, "
                    "media_resolution, speech_config, top_k)");
      }
    }
    return true;
  }

  bool readReasoning() {
    std::optional<std::string_view> effort;
    if (!take(optionalString(body_, "reasoning_effort", ""), effort)) return false;
    if (effort) {
      if (thinking_from_extras_) {
        return fail(
            "reasoning_effort and extra_body.google.thinking_config cannot be used "
            "together");
      }
      std::optional<json::object> config;
      if (!take(thinkingForEffort(*effort, traits_, "reasoning_effort"), config)) return false;
      if (config) builder_.generationConfig()["thinkingConfig"] = std::move(*config);
    }
    if (out_.response.include_reasoning && !thinking_from_extras_) {
      requestThoughtSummaries(builder_.generationConfig(), traits_);
    }
    return true;
  }

  const json::object& body_;
  const ChatRequestOptions& options_;
  ChatTranslation out_;
  ModelTraits traits_;
  GenerateRequestBuilder builder_;
  std::map<std::string, std::string, std::less<>> call_names_;  // tool_call id → function name
  bool thinking_from_extras_ = false;
};

}  // namespace

Result<ChatTranslation> translateChatRequest(const json::value& body,
                                             const ChatRequestOptions& options) {
  if (!body.is_object()) return invalidRequest("the body must be a JSON object");
  return ChatRequestReader(body.get_object(), options).read();
}

}  // namespace poise::protocols
