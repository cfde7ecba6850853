#include "protocols/openai/responses_request.h"

#include <map>

#include "protocols/gemini/function_calling.h"
#include "protocols/gemini/request_builder.h"
#include "protocols/json_fields.h"

namespace poise::protocols {

namespace {

// Longest previous_response_id accepted (ours are "resp_" + 40 characters).
constexpr std::size_t kMaxResponseIdLength = 128;

std::string cut(std::string_view s) {
  return std::string(s.substr(0, 40));
}

class ResponsesRequestReader : RequestReaderBase {
 public:
  ResponsesRequestReader(const json::object& body, const ResponsesRequestOptions& options)
      : body_(body), options_(options) {}

  Result<ResponsesTranslation> read() {
    if (!readModel() || !readFlags() || !readUnsupported() || !readInstructions() || !readTools() ||
        !readToolChoice() || !readHistory() || !readInput() || !readGenerationConfig() ||
        !readTextFormat() || !readReasoning() || !readMetadata()) {
      return error_;
    }
    flushModelTurn();
    builder_.buildInto(out_.request);
    return std::move(out_);
  }

 private:
  json::object& echo() { return out_.response.echo; }

  bool readModel() {
    if (!readModelField(body_, options_.model_aliases, out_.response.client_model, out_.model)) {
      return false;
    }
    traits_ = modelTraits(out_.model);
    return true;
  }

  bool readFlags() {
    std::optional<bool> stream;
    std::optional<bool> store;
    std::optional<bool> parallel;
    if (!take(optionalBool(body_, "stream", ""), stream) ||
        !take(optionalBool(body_, "store", ""), store) ||
        !take(optionalBool(body_, "parallel_tool_calls", ""), parallel)) {
      return false;
    }
    out_.stream = stream.value_or(false);
    out_.store = store.value_or(true);
    echo()["store"] = out_.store;
    // Gemini has no switch for parallel calls; the flag is only repeated.
    echo()["parallel_tool_calls"] = parallel.value_or(true);
    auto previous = previousResponseId(body_);
    if (!previous) return fail(previous.error());
    if (*previous) {
      echo()["previous_response_id"] = **previous;
    } else {
      echo()["previous_response_id"] = nullptr;
    }
    std::optional<std::string_view> user;
    if (!take(optionalString(body_, "user", ""), user)) return false;
    if (user) {
      echo()["user"] = *user;
    } else {
      echo()["user"] = nullptr;
    }
    echo()["truncation"] = "disabled";
    return true;
  }

  // Features that need state or services the gateway does not have.
  bool readUnsupported() {
    std::optional<bool> background;
    if (!take(optionalBool(body_, "background", ""), background)) return false;
    if (background.value_or(false)) return fail("background responses are not supported");
    if (field(body_, "conversation") != nullptr) {
      return fail("conversation is not supported; chain responses with previous_response_id");
    }
    if (field(body_, "prompt") != nullptr) return fail("prompt templates are not supported");
    return true;
  }

  bool readInstructions() {
    std::optional<std::string_view> instructions;
    if (!take(optionalString(body_, "instructions", ""), instructions)) return false;
    if (instructions) {
      if (!instructions->empty()) builder_.addSystemText(*instructions);
      echo()["instructions"] = *instructions;
    } else {
      echo()["instructions"] = nullptr;
    }
    return true;
  }

  bool readTools() {
    echo()["tools"] = json::array{};
    if (!forEachObject(body_, "tools", false, [&](const json::object& tool, const std::string& p) {
          std::optional<std::string_view> type;
          if (!take(optionalString(tool, "type", p), type)) return false;
          if (!type) return fail(p + ".type is required");
          if (*type != "function") {
            return fail(p + ".type \"" + cut(*type) +
                        "\" is not supported; only function tools are");
          }
          std::optional<std::string_view> name;
          std::optional<std::string_view> description;
          if (!take(optionalString(tool, "name", p), name) ||
              !take(optionalString(tool, "description", p), description)) {
            return false;
          }
          auto st = builder_.declareFunction(name.value_or(""), description.value_or(""),
                                             field(tool, "parameters"), p + ".name");
          return st ? true : fail(st.error());
        })) {
      return false;
    }
    if (const json::value* tools = field(body_, "tools")) echo()["tools"] = *tools;
    return true;
  }

  bool addAllowedName(std::string_view name, const std::string& path, json::array& names) {
    auto st = builder_.allowName(name, path, names);
    return st ? true : fail(st.error());
  }

  // {type:"allowed_tools", mode:"auto"|"required", tools:[{type:"function", name}]}.
  bool readAllowedTools(const json::object& o, std::string_view& mode, json::array& names) {
    std::optional<std::string_view> m;
    if (!take(optionalString(o, "mode", "tool_choice"), m)) return false;
    if (m != "auto" && m != "required") return fail("tool_choice.mode must be auto or required");
    const json::value* tools = field(o, "tools");
    if (tools == nullptr || !tools->is_array()) return fail("tool_choice.tools must be an array");
    for (std::size_t i = 0; i < tools->get_array().size(); ++i) {
      const json::value& t = tools->get_array()[i];
      const std::string path = indexPath("tool_choice.tools", i);
      const json::value* name = t.is_object() ? field(t.get_object(), "name") : nullptr;
      if (name == nullptr || !name->is_string()) return fail(path + ".name is required");
      if (!addAllowedName(name->get_string(), path + ".name", names)) return false;
    }
    mode = builder_.restrictToAllowed(*m == "required", names);
    return true;
  }

  bool readToolChoice() {
    const json::value* choice = field(body_, "tool_choice");
    echo()["tool_choice"] = choice != nullptr ? *choice : json::value("auto");
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
        std::optional<std::string_view> name;
        if (!take(optionalString(o, "name", "tool_choice"), name)) return false;
        if (!name) return fail("tool_choice.name is required");
        if (!addAllowedName(*name, "tool_choice.name", names)) return false;
        mode = "ANY";
      } else if (type == "allowed_tools") {
        if (!readAllowedTools(o, mode, names)) return false;
      } else {
        return fail("tool_choice.type \"" + cut(type.value_or("")) +
                    "\" is not supported (function, allowed_tools)");
      }
    } else {
      return fail("tool_choice must be a string or an object");
    }
    if (auto st = builder_.setCallingMode(mode, std::move(names)); !st) return fail(st.error());
    return true;
  }

  bool readHistory() {
    if (options_.history == nullptr) return true;
    for (std::size_t i = 0; i < options_.history->size(); ++i) {
      const json::value& item = (*options_.history)[i];
      if (!item.is_object()) continue;
      if (!readItem(item.get_object(), indexPath("previous_response", i))) return false;
      out_.input_items.push_back(item);
    }
    return true;
  }

  bool readInput() {
    const json::value* input = field(body_, "input");
    if (input == nullptr) {
      if (options_.history != nullptr) return true;
      return fail("input is required");
    }
    if (input->is_string()) {
      json::object item{{"role", "user"}, {"content", input->get_string()}};
      if (!readItem(item, "input")) return false;
      out_.input_items.push_back(std::move(item));
      return true;
    }
    if (!input->is_array()) return fail("input must be a string or an array of items");
    const json::array& list = input->get_array();
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string path = indexPath("input", i);
      if (!list[i].is_object()) return fail(path + " must be an object");
      if (!readItem(list[i].get_object(), path)) return false;
      out_.input_items.push_back(list[i]);
    }
    return true;
  }

  bool readItem(const json::object& item, const std::string& path) {
    std::optional<std::string_view> type;
    if (!take(optionalString(item, "type", path), type)) return false;
    if (!type || *type == "message") return readMessage(item, path);
    if (*type == "function_call") return readFunctionCall(item, path);
    if (*type == "function_call_output") return readFunctionCallOutput(item, path);
    // Thought summaries are not sent back: Gemini carries its reasoning in thought signatures.
    if (*type == "reasoning") return true;
    return fail(path + ".type \"" + cut(*type) +
                "\" is not supported (message, function_call, function_call_output, reasoning)");
  }

  bool readMessage(const json::object& item, const std::string& path) {
    std::optional<std::string_view> role;
    if (!take(optionalString(item, "role", path), role)) return false;
    if (!role) return fail(path + ".role is required");
    if (*role == "system" || *role == "developer") {
      std::string text;
      if (!readContentText(field(item, "content"), path + ".content", text)) return false;
      if (!text.empty()) builder_.addSystemText(text);
      return true;
    }
    if (*role == "assistant") {
      std::string text;
      if (!readContentText(field(item, "content"), path + ".content", text)) return false;
      if (!text.empty()) model_parts_.push_back(json::object{{"text", text}});
      return true;
    }
    if (*role != "user") {
      return fail(path + ".role \"" + cut(*role) +
                  "\" is not one of user, assistant, system, developer");
    }
    json::array parts;
    const json::value* content = field(item, "content");
    if (content == nullptr) return fail(path + ".content is required");
    if (content->is_string()) {
      if (!content->get_string().empty()) parts.push_back(json::object{{"text", *content}});
    } else if (content->is_array()) {
      if (!readUserParts(content->get_array(), path + ".content", parts)) return false;
    } else {
      return fail(path + ".content must be a string or an array");
    }
    appendUserParts(std::move(parts));
    return true;
  }

  // The text of a content that may only hold text: a string, or input_text / output_text /
  // refusal parts.
  bool readContentText(const json::value* content, const std::string& path, std::string& text) {
    if (content == nullptr) return true;
    if (content->is_string()) {
      text = std::string(content->get_string());
      return true;
    }
    if (!content->is_array()) return fail(path + " must be a string or an array");
    const json::array& parts = content->get_array();
    for (std::size_t j = 0; j < parts.size(); ++j) {
      const std::string p = indexPath(path, j);
      if (!parts[j].is_object()) return fail(p + " must be an object");
      const json::object& part = parts[j].get_object();
      std::optional<std::string_view> type;
      if (!take(optionalString(part, "type", p), type)) return false;
      const std::string_view key = type == "refusal" ? "refusal" : "text";
      if (type != "input_text" && type != "output_text" && type != "refusal") {
        return fail(p + ".type \"" + cut(type.value_or("")) +
                    "\" is not allowed here (input_text, output_text, refusal)");
      }
      std::optional<std::string_view> t;
      if (!take(optionalString(part, key, p), t)) return false;
      text += t.value_or("");
    }
    return true;
  }

  bool dataPart(std::string_view url, const std::string& p, std::string_view what,
                json::array& parts) {
    auto data = parseDataUrl(url);
    if (!data) {
      return fail(p + "." + std::string(what) +
                  " must be a base64 data: URL (data:<mime>;base64,<data>); remote URLs and "
                  "file ids are not supported");
    }
    parts.push_back(inlineDataPart(data->mime_type, data->data));
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
      if (*type == "input_text" || *type == "output_text") {
        std::optional<std::string_view> text;
        if (!take(optionalString(part, "text", p), text)) return false;
        if (!text) return fail(p + ".text is required");
        if (!text->empty()) parts.push_back(json::object{{"text", *text}});
      } else if (*type == "input_image") {
        std::optional<std::string_view> url;
        if (!take(optionalString(part, "image_url", p), url)) return false;
        if (!dataPart(url.value_or(""), p, "image_url", parts)) return false;
      } else if (*type == "input_file") {
        std::optional<std::string_view> data;
        if (!take(optionalString(part, "file_data", p), data)) return false;
        if (!dataPart(data.value_or(""), p, "file_data", parts)) return false;
      } else {
        return fail(p + ".type \"" + cut(*type) +
                    "\" is not supported (input_text, input_image, input_file)");
      }
    }
    return true;
  }

  bool readFunctionCall(const json::object& item, const std::string& path) {
    std::optional<std::string_view> call_id;
    std::optional<std::string_view> name;
    std::optional<std::string_view> arguments;
    if (!take(optionalString(item, "call_id", path), call_id) ||
        !take(optionalString(item, "name", path), name) ||
        !take(optionalString(item, "arguments", path), arguments)) {
      return false;
    }
    if (!call_id || call_id->empty()) return fail(path + ".call_id is required");
    if (!name || name->empty()) return fail(path + ".name is required");
    json::object args;
    if (arguments && !arguments->empty()) {
      json::value parsed = toolOutputValue(*arguments);
      if (!parsed.is_object()) return fail(path + ".arguments must be a JSON object (as a string)");
      args = std::move(parsed.get_object());
    }
    call_names_[std::string(*call_id)] = std::string(*name);
    model_parts_.push_back(functionCallPart(*name, std::move(args), *call_id, ""));
    return true;
  }

  bool readFunctionCallOutput(const json::object& item, const std::string& path) {
    std::optional<std::string_view> call_id;
    if (!take(optionalString(item, "call_id", path), call_id)) return false;
    if (!call_id || call_id->empty()) return fail(path + ".call_id is required");
    const auto it = call_names_.find(*call_id);
    if (it == call_names_.end()) {
      return fail(path + ".call_id \"" + std::string(call_id->substr(0, 80)) +
                  "\" does not match an earlier function_call item");
    }
    const json::value* output = field(item, "output");
    std::string text;
    if (output == nullptr) {
      return fail(path + ".output is required");
    } else if (output->is_string()) {
      text = std::string(output->get_string());
    } else if (!readContentText(output, path + ".output", text)) {
      return false;
    }
    json::array parts;
    parts.push_back(functionResponsePart(it->second, *call_id, toolOutputValue(text), false));
    appendUserParts(std::move(parts));
    return true;
  }

  void appendUserParts(json::array parts) {
    flushModelTurn();
    builder_.appendTurn("user", std::move(parts));
  }

  // Consecutive assistant items (text, function calls) are one model turn.
  void flushModelTurn() {
    if (model_parts_.empty()) return;
    signFirstFunctionCall(model_parts_, traits_);
    builder_.appendTurn("model", std::move(model_parts_));
    model_parts_ = json::array{};
  }

  bool copyNumber(std::string_view from, std::string_view to, double fallback) {
    std::optional<double> v;
    if (!take(optionalNumber(body_, from, ""), v)) return false;
    if (v) {
      builder_.generationConfig()[to] = *body_.if_contains(from);
      echo()[from] = *body_.if_contains(from);
    } else {
      echo()[from] = fallback;
    }
    return true;
  }

  bool readGenerationConfig() {
    if (!copyNumber("temperature", "temperature", 1.0) || !copyNumber("top_p", "topP", 1.0)) {
      return false;
    }
    std::optional<std::int64_t> max_tokens;
    if (!take(optionalInteger(body_, "max_output_tokens", ""), max_tokens)) return false;
    echo()["max_output_tokens"] = nullptr;
    if (max_tokens) {
      if (*max_tokens < 1) return fail("max_output_tokens must be at least 1");
      out_.requested_max_tokens = *max_tokens;
      echo()["max_output_tokens"] = *max_tokens;
      builder_.generationConfig()["maxOutputTokens"] =
          clampOutputTokens(*max_tokens, out_.model, options_.output_token_limits);
    }
    return true;
  }

  bool readTextFormat() {
    echo()["text"] = json::object{{"format", json::object{{"type", "text"}}}};
    const json::value* text = field(body_, "text");
    if (text == nullptr) return true;
    if (!text->is_object()) return fail("text must be an object");
    echo()["text"] = *text;
    const json::value* format = field(text->get_object(), "format");
    if (format == nullptr) return true;
    if (!format->is_object()) return fail("text.format must be an object");
    std::optional<std::string_view> type;
    if (!take(optionalString(format->get_object(), "type", "text.format"), type)) return false;
    if (!type || *type == "text") return true;
    if (*type == "json_object") {
      builder_.setJsonOutput(nullptr);
      return true;
    }
    if (*type == "json_schema") {
      const json::value* schema = field(format->get_object(), "schema");
      if (schema == nullptr || !schema->is_object()) {
        return fail("text.format.schema must be an object");
      }
      builder_.setJsonOutput(schema);
      return true;
    }
    return fail("text.format.type must be text, json_object or json_schema");
  }

  bool readReasoning() {
    echo()["reasoning"] = json::object{{"effort", nullptr}, {"summary", nullptr}};
    const json::value* reasoning = field(body_, "reasoning");
    if (reasoning == nullptr) return true;
    if (!reasoning->is_object()) return fail("reasoning must be an object");
    const json::object& r = reasoning->get_object();
    std::optional<std::string_view> effort;
    std::optional<std::string_view> summary;
    std::optional<std::string_view> generate_summary;
    if (!take(optionalString(r, "effort", "reasoning"), effort) ||
        !take(optionalString(r, "summary", "reasoning"), summary) ||
        !take(optionalString(r, "generate_summary", "reasoning"), generate_summary)) {
      return false;
    }
    if (!summary) summary = generate_summary;
    json::object& echoed = echo()["reasoning"].get_object();
    if (effort) {
      std::optional<json::object> config;
      if (!take(thinkingForEffort(*effort, traits_, "reasoning.effort"), config)) return false;
      if (config) builder_.generationConfig()["thinkingConfig"] = std::move(*config);
      echoed["effort"] = *effort;
    }
    if (summary) {
      if (*summary != "auto" && *summary != "concise" && *summary != "detailed") {
        return fail("reasoning.summary must be auto, concise or detailed");
      }
      echoed["summary"] = *summary;
      out_.response.include_reasoning = true;
      requestThoughtSummaries(builder_.generationConfig(), traits_);
    }
    return true;
  }

  // metadata: at most 16 string values (keys ≤ 64, values ≤ 512 characters), repeated as sent.
  bool readMetadata() {
    echo()["metadata"] = json::object{};
    const json::value* metadata = field(body_, "metadata");
    if (metadata == nullptr) return true;
    if (!metadata->is_object()) return fail("metadata must be an object");
    const json::object& m = metadata->get_object();
    if (m.size() > 16) return fail("metadata may have at most 16 keys");
    for (const auto& [key, value] : m) {
      if (key.size() > 64) return fail("metadata keys may have at most 64 characters");
      if (!value.is_string() || value.get_string().size() > 512) {
        return fail("metadata." + cut(key) + " must be a string of at most 512 characters");
      }
    }
    echo()["metadata"] = m;
    return true;
  }

  const json::object& body_;
  const ResponsesRequestOptions& options_;
  ResponsesTranslation out_;
  ModelTraits traits_;
  GenerateRequestBuilder builder_;
  json::array model_parts_;                                     // the model turn being gathered
  std::map<std::string, std::string, std::less<>> call_names_;  // call_id → function name
};

}  // namespace

Result<ResponsesTranslation> translateResponsesRequest(const json::value& body,
                                                       const ResponsesRequestOptions& options) {
  if (!body.is_object()) return invalidRequest("the body must be a JSON object");
  return ResponsesRequestReader(body.get_object(), options).read();
}

Result<std::optional<std::string>> previousResponseId(const json::value& body) {
  if (!body.is_object()) return std::optional<std::string>{};
  std::optional<std::string_view> id;
  auto read = optionalString(body.get_object(), "previous_response_id", "");
  if (!read) return read.error();
  id = *read;
  if (!id) return std::optional<std::string>{};
  if (id->empty() || id->size() > kMaxResponseIdLength) {
    return invalidRequest("previous_response_id must be a response id");
  }
  return std::optional<std::string>{std::string(*id)};
}

}  // namespace poise::protocols
