#include "fakes/gemini_responder.h"

#include <algorithm>
#include <array>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/parser.hpp>
#include <cctype>
#include <charconv>
#include <climits>
#include <optional>
#include <string_view>

#include "fakes/gemini_errors.h"
#include "fakes/google_json.h"
#include "fakes/model_catalogue.h"

namespace poise::fakes {

namespace {

namespace json = boost::json;

constexpr std::string_view kJsonContentType = "application/json; charset=UTF-8";
constexpr std::string_view kHtmlContentType = "text/html; charset=UTF-8";
constexpr std::string_view kFunctionCallFinishMessage = "Model generated function call(s).";
constexpr int kImageTokens = 258;
constexpr int kFunctionPartTokens = 8;
constexpr int kThoughtTokens = 16;
constexpr int kMaxKnobValue = 600000;

// ---------------------------------------------------------------------------------------------
// Text helpers

bool startsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool contains(std::string_view s, std::string_view needle) {
  return s.find(needle) != std::string_view::npos;
}

bool isSpace(char c) {
  return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f';
}

int countWords(std::string_view s) {
  int words = 0;
  bool in_word = false;
  for (const char c : s) {
    if (isSpace(c)) {
      in_word = false;
    } else if (!in_word) {
      in_word = true;
      ++words;
    }
  }
  return words;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percentDecode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const int hi = hexValue(s[i + 1]);
      const int lo = hexValue(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_is_space && s[i] == '+' ? ' ' : s[i]);
  }
  return out;
}

using QueryParams = std::vector<std::pair<std::string, std::string>>;

QueryParams parseQuery(std::string_view query) {
  QueryParams params;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view item = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (item.empty()) continue;
    const auto eq = item.find('=');
    params.emplace_back(
        percentDecode(item.substr(0, eq), true),
        eq == std::string_view::npos ? std::string{} : percentDecode(item.substr(eq + 1), true));
  }
  return params;
}

std::optional<std::string> queryParam(const QueryParams& params, std::string_view name) {
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  return std::nullopt;
}

std::optional<std::string> header(const FakeRequest& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return std::nullopt;
}

std::string snakeCase(std::string_view camel) {
  std::string out;
  for (const char c : camel) {
    if (c >= 'A' && c <= 'Z') {
      out.push_back('_');
      out.push_back(static_cast<char>(c - 'A' + 'a'));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string camelCase(std::string_view snake) {
  std::string out;
  bool upper = false;
  for (std::size_t i = 0; i < snake.size(); ++i) {
    const char c = snake[i];
    if (c == '_' && i > 0) {
      upper = true;
      continue;
    }
    out.push_back(upper && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
    upper = false;
  }
  return out;
}

// A request field under its lowerCamelCase name or its proto snake_case name.
const json::value* field(const json::object& o, std::string_view camel) {
  if (const auto* v = o.if_contains(camel)) return v;
  const std::string snake = snakeCase(camel);
  return snake == camel ? nullptr : o.if_contains(snake);
}

const json::object* objectField(const json::object* o, std::string_view camel) {
  if (o == nullptr) return nullptr;
  const auto* v = field(*o, camel);
  return v != nullptr && v->is_object() ? &v->get_object() : nullptr;
}

const json::array* arrayField(const json::object* o, std::string_view camel) {
  if (o == nullptr) return nullptr;
  const auto* v = field(*o, camel);
  return v != nullptr && v->is_array() ? &v->get_array() : nullptr;
}

std::string_view stringField(const json::object* o, std::string_view camel) {
  if (o == nullptr) return {};
  const auto* v = field(*o, camel);
  return v != nullptr && v->is_string() ? std::string_view(v->get_string()) : std::string_view{};
}

std::optional<std::int64_t> asInteger(const json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    return static_cast<std::int64_t>(v.get_uint64());
  }
  if (v.is_double() &&
      v.get_double() == static_cast<double>(static_cast<std::int64_t>(v.get_double()))) {
    return static_cast<std::int64_t>(v.get_double());
  }
  return std::nullopt;
}

std::string base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const auto n = (static_cast<unsigned char>(in[i]) << 16) |
                   (static_cast<unsigned char>(in[i + 1]) << 8) |
                   static_cast<unsigned char>(in[i + 2]);
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(kAlphabet[(n >> 6) & 63]);
    out.push_back(kAlphabet[n & 63]);
  }
  if (i < in.size()) {
    const bool two = i + 1 < in.size();
    const auto n = (static_cast<unsigned char>(in[i]) << 16) |
                   (two ? static_cast<unsigned char>(in[i + 1]) << 8 : 0);
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(two ? kAlphabet[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

std::optional<std::string> unbase64(std::string_view in) {
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (const char c : in) {
    int v = -1;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    if (c >= '0' && c <= '9') v = c - '0' + 52;
    if (c == '+' || c == '-') v = 62;
    if (c == '/' || c == '_') v = 63;
    if (c == '=') break;
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

// Value of a "name=123" knob inside the request text, clamped to [0, kMaxKnobValue].
std::optional<int> knobValue(std::string_view text, std::string_view name) {
  const auto pos = text.find(name);
  if (pos == std::string_view::npos) return std::nullopt;
  std::size_t i = pos + name.size();
  long long v = 0;
  bool any = false;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    v = std::min<long long>(v * 10 + (text[i] - '0'), kMaxKnobValue);
    any = true;
    ++i;
  }
  if (!any) return std::nullopt;
  return static_cast<int>(v);
}

// ---------------------------------------------------------------------------------------------
// Replies

ResponsePlan reply(unsigned status, std::string body, std::string_view content_type) {
  ResponsePlan p;
  p.kind = ResponsePlan::Kind::kReply;
  p.status = status;
  p.body = std::move(body);
  p.content_type = content_type;
  return p;
}

ResponsePlan jsonReply(const json::value& v) {
  return reply(200, formatJson(v, JsonLayout::kPretty) + "\n", kJsonContentType);
}

ResponsePlan errorReply(const GeminiError& e) {
  return reply(e.http_status, formatJson(e.envelope, JsonLayout::kPretty) + "\n", kJsonContentType);
}

ResponsePlan htmlError(unsigned status, std::string_view title, std::string_view text) {
  std::string body = "<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n  <title>Error " +
                     std::to_string(status) + " (" + std::string(title) + ")!!1</title>\n  <p><b>" +
                     std::to_string(status) +
                     ".</b> <ins>That\xE2\x80\x99s an error.</ins>\n  <p>" + std::string(text) +
                     "  <ins>That\xE2\x80\x99s all we know.</ins>\n";
  return reply(status, std::move(body), kHtmlContentType);
}

ResponsePlan pathNotFound(std::string_view path) {
  std::string escaped;
  for (const char c : path) {
    if (c == '<') {
      escaped += "&lt;";
    } else if (c == '>') {
      escaped += "&gt;";
    } else if (c == '&') {
      escaped += "&amp;";
    } else {
      escaped.push_back(c);
    }
  }
  return htmlError(404, "Not Found",
                   "The requested URL <code>" + escaped + "</code> was not found on this server.");
}

// ---------------------------------------------------------------------------------------------
// Routing

struct Route {
  enum class Kind { kListModels, kGetModel, kModelMethod, kLive };
  Kind kind = Kind::kListModels;
  std::string version;
  std::string model;
  std::string method;
};

constexpr std::array<std::string_view, 5> kModelMethods = {"generateContent",
                                                           "streamGenerateContent", "countTokens",
                                                           "embedContent", "batchEmbedContents"};

std::optional<Route> parseRoute(std::string_view http_method, std::string_view path) {
  // The Live API's WebSocket endpoint (Google's SDK writes a doubled leading slash).
  for (const std::string_view version : {"v1beta", "v1alpha"}) {
    for (const std::string_view lead : {"/ws/", "//ws/"}) {
      const std::string live = std::string(lead) + "google.ai.generativelanguage." +
                               std::string(version) + ".GenerativeService.BidiGenerateContent";
      if (path != live) continue;
      if (http_method != "GET") return std::nullopt;
      Route r;
      r.kind = Route::Kind::kLive;
      r.version = version;
      return r;
    }
  }
  for (const std::string_view version : {"v1beta", "v1", "v1alpha"}) {
    const std::string prefix = "/" + std::string(version) + "/";
    if (!startsWith(path, prefix)) continue;
    const std::string_view rest = path.substr(prefix.size());
    Route r;
    r.version = version;
    if (rest == "models" || rest == "models/") {
      if (http_method != "GET") return std::nullopt;
      r.kind = Route::Kind::kListModels;
      return r;
    }
    if (!startsWith(rest, "models/")) return std::nullopt;
    const std::string_view name = rest.substr(7);
    const auto colon = name.find(':');
    const std::string_view model = name.substr(0, colon);
    if (model.empty() || contains(model, "/")) return std::nullopt;
    r.model = model;
    if (colon == std::string_view::npos) {
      if (http_method != "GET") return std::nullopt;
      r.kind = Route::Kind::kGetModel;
      return r;
    }
    const std::string_view method = name.substr(colon + 1);
    if (http_method != "POST" ||
        std::find(kModelMethods.begin(), kModelMethods.end(), method) == kModelMethods.end()) {
      return std::nullopt;
    }
    r.kind = Route::Kind::kModelMethod;
    r.method = method;
    return r;
  }
  return std::nullopt;
}

// Parses a JSON request body; an empty body counts as {} as it does at Google.
std::optional<GeminiError> parseBody(std::string_view body, json::object& out) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    out = {};
    return std::nullopt;
  }
  json::parse_options opts;
  opts.max_depth = 512;
  boost::system::error_code ec;
  json::value v = json::parse(body, ec, {}, opts);
  if (ec) return invalidJsonPayload("Unexpected token.");
  if (!v.is_object())
    return invalidJsonPayload("Unknown name \"\": Root element must be a message.");
  out = std::move(v.get_object());
  return std::nullopt;
}

std::optional<GeminiError> rejectUnknownFields(const json::object& o,
                                               std::initializer_list<std::string_view> known,
                                               std::string_view location) {
  for (const auto& member : o) {
    const std::string camel = camelCase(member.key());
    if (std::find(known.begin(), known.end(), camel) != known.end()) continue;
    std::string detail = "Unknown name \"" + std::string(member.key()) + "\"";
    if (!location.empty()) detail += " at '" + std::string(location) + "'";
    return invalidJsonPayload(detail + ": Cannot find field.");
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Prompt accounting

struct PromptStats {
  int text_tokens = 0;
  int image_tokens = 0;
  int other_tokens = 0;
  std::string all_text;  // every text part, newline-separated; knobs are looked up here

  int total() const { return std::max(1, text_tokens + image_tokens + other_tokens); }
};

void accumulateContent(const json::value& content, PromptStats& stats) {
  if (!content.is_object()) return;
  const auto* parts = arrayField(&content.get_object(), "parts");
  if (parts == nullptr) return;
  for (const auto& part : *parts) {
    if (!part.is_object()) continue;
    const auto& p = part.get_object();
    if (const auto* t = field(p, "text"); t != nullptr && t->is_string()) {
      stats.text_tokens += countWords(t->get_string());
      stats.all_text.append(t->get_string());
      stats.all_text.push_back('\n');
    } else if (field(p, "inlineData") != nullptr || field(p, "fileData") != nullptr) {
      stats.image_tokens += kImageTokens;
    } else {
      stats.other_tokens += kFunctionPartTokens;
    }
  }
}

json::array promptTokensDetails(const PromptStats& stats) {
  json::array details;
  details.push_back(json::object{
      {"modality", "TEXT"}, {"tokenCount", std::max(1, stats.text_tokens + stats.other_tokens)}});
  if (stats.image_tokens > 0) {
    details.push_back(json::object{{"modality", "IMAGE"}, {"tokenCount", stats.image_tokens}});
  }
  return details;
}

std::optional<GeminiError> validateContents(const json::value* contents,
                                            std::string_view request_name) {
  if (contents == nullptr || !contents->is_array() || contents->get_array().empty()) {
    return plainError(400,
                      "* " + std::string(request_name) + ".contents: contents is not specified\n");
  }
  const auto& arr = contents->get_array();
  for (std::size_t i = 0; i < arr.size(); ++i) {
    if (!arr[i].is_object()) {
      return invalidValue("contents[" + std::to_string(i) + "]",
                          "type.googleapis.com/google.ai.generativelanguage.v1beta.Content",
                          formatJson(arr[i], JsonLayout::kCompact));
    }
    const auto& c = arr[i].get_object();
    const std::string_view role = stringField(&c, "role");
    if (!role.empty() && role != "user" && role != "model" && role != "function") {
      return plainError(400, "Please use a valid role: user, model.");
    }
    const auto* parts = arrayField(&c, "parts");
    if (parts == nullptr || parts->empty()) {
      return plainError(400, "* " + std::string(request_name) + ".contents[" + std::to_string(i) +
                                 "].parts: contents.parts must not be empty.\n");
    }
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// generateContent / streamGenerateContent

struct GenerateInput {
  const ModelInfo* model = nullptr;
  PromptStats prompt;
  std::string last_user_text;  // text parts of the last user turn, space-joined
  std::string tool_results;    // "name => {json}" for functionResponse parts of that turn
  std::vector<std::string> declared_functions;
  std::string calling_mode;  // toolConfig.functionCallingConfig.mode
  std::vector<std::string> allowed_functions;
  std::optional<std::int64_t> max_output_tokens;
  int candidate_count = 1;
  int thoughts_tokens = 0;
  bool include_thoughts = false;
  bool json_output = false;                // responseMimeType application/json
  std::optional<json::value> json_schema;  // responseJsonSchema (or responseSchema)
};

bool isGemini3(const ModelInfo& m) {
  return startsWith(m.id, "gemini-3");
}
bool alwaysThinks(const ModelInfo& m) {
  return m.id == "gemini-2.5-pro" || isGemini3(m);
}

std::optional<GeminiError> integerConfig(const json::object* gc, std::string_view name,
                                         std::optional<std::int64_t>& out) {
  if (gc == nullptr) return std::nullopt;
  const auto* v = field(*gc, name);
  if (v == nullptr || v->is_null()) return std::nullopt;
  out = asInteger(*v);
  if (!out) {
    return invalidValue("generation_config." + snakeCase(name), "TYPE_INT32",
                        formatJson(*v, JsonLayout::kCompact));
  }
  return std::nullopt;
}

// The current turn (after the last user text) must carry a thought signature on the first
// functionCall part of each model step, as Gemini 3 enforces.
std::optional<GeminiError> checkThoughtSignatures(const json::array& contents) {
  std::size_t start = 0;
  for (std::size_t i = 0; i < contents.size(); ++i) {
    const auto& c = contents[i].get_object();
    const std::string_view role = stringField(&c, "role");
    if (role == "model") continue;
    for (const auto& part : *arrayField(&c, "parts")) {
      if (part.is_object() && field(part.get_object(), "text") != nullptr) start = i;
    }
  }
  for (std::size_t i = start; i < contents.size(); ++i) {
    const auto& c = contents[i].get_object();
    if (stringField(&c, "role") != "model") continue;
    for (const auto& part : *arrayField(&c, "parts")) {
      if (!part.is_object()) continue;
      const auto& p = part.get_object();
      const auto* call = objectField(&p, "functionCall");
      if (call == nullptr) continue;
      if (stringField(&p, "thoughtSignature").empty()) {
        return plainError(
            400,
            "Function call is missing a thought_signature in functionCall parts. This is "
            "required for tools to work correctly, and missing thought_signature may lead to "
            "degraded model performance. Additional data, function call `default_api:" +
                std::string(stringField(call, "name")) + "` , position " + std::to_string(i + 1) +
                ". Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for "
                "more details.");
      }
      break;  // only the first functionCall of a step carries the signature
    }
  }
  return std::nullopt;
}

std::optional<GeminiError> readGenerateInput(const json::object& body, const ModelInfo& model,
                                             std::string_view request_name, GenerateInput& in) {
  in.model = &model;
  if (auto e = rejectUnknownFields(body,
                                   {"contents", "systemInstruction", "tools", "toolConfig",
                                    "safetySettings", "generationConfig", "cachedContent", "model"},
                                   "")) {
    return e;
  }
  const auto* contents = field(body, "contents");
  if (auto e = validateContents(contents, request_name)) return e;
  const auto& arr = contents->get_array();
  if (const auto* system = field(body, "systemInstruction")) accumulateContent(*system, in.prompt);
  for (const auto& c : arr) accumulateContent(c, in.prompt);

  for (std::size_t i = arr.size(); i-- > 0;) {  // the last turn that is not the model's
    const auto& c = arr[i].get_object();
    const std::string_view role = stringField(&c, "role");
    if (role == "model") continue;
    for (const auto& part : *arrayField(&c, "parts")) {
      if (!part.is_object()) continue;
      const auto& p = part.get_object();
      if (const auto* t = field(p, "text"); t != nullptr && t->is_string()) {
        if (!in.last_user_text.empty()) in.last_user_text.push_back(' ');
        in.last_user_text.append(t->get_string());
      } else if (const auto* fr = objectField(&p, "functionResponse")) {
        if (!in.tool_results.empty()) in.tool_results += "; ";
        const auto* response = field(*fr, "response");
        in.tool_results += std::string(stringField(fr, "name")) + " => " +
                           (response ? formatJson(*response, JsonLayout::kCompact) : "{}");
      }
    }
    break;
  }

  if (const auto* tools = arrayField(&body, "tools")) {
    for (const auto& tool : *tools) {
      if (!tool.is_object()) continue;
      const auto* decls = arrayField(&tool.get_object(), "functionDeclarations");
      if (decls == nullptr) continue;
      for (const auto& d : *decls) {
        if (!d.is_object()) continue;
        const std::string_view name = stringField(&d.get_object(), "name");
        if (!name.empty()) in.declared_functions.emplace_back(name);
      }
    }
  }
  const auto* fcc = objectField(objectField(&body, "toolConfig"), "functionCallingConfig");
  in.calling_mode = stringField(fcc, "mode");
  if (const auto* allowed = arrayField(fcc, "allowedFunctionNames")) {
    for (const auto& a : *allowed) {
      if (a.is_string()) in.allowed_functions.emplace_back(a.get_string());
    }
  }

  const auto* gc = objectField(&body, "generationConfig");
  if (gc != nullptr) {
    if (auto e = rejectUnknownFields(*gc,
                                     {"stopSequences",
                                      "responseMimeType",
                                      "responseSchema",
                                      "responseJsonSchema",
                                      "_responseJsonSchema",
                                      "responseModalities",
                                      "candidateCount",
                                      "maxOutputTokens",
                                      "temperature",
                                      "topP",
                                      "topK",
                                      "seed",
                                      "presencePenalty",
                                      "frequencyPenalty",
                                      "responseLogprobs",
                                      "logprobs",
                                      "enableEnhancedCivicAnswers",
                                      "speechConfig",
                                      "thinkingConfig",
                                      "imageConfig",
                                      "mediaResolution"},
                                     "generation_config")) {
      return e;
    }
  }
  if (auto e = integerConfig(gc, "maxOutputTokens", in.max_output_tokens)) return e;
  in.json_output = stringField(gc, "responseMimeType") == "application/json";
  for (const std::string_view name :
       {"responseJsonSchema", "_responseJsonSchema", "responseSchema"}) {
    if (const auto* schema = gc != nullptr ? field(*gc, name) : nullptr; schema != nullptr) {
      in.json_schema = *schema;
      break;
    }
  }
  // Google treats the listed outputTokenLimit as exclusive (SPEC §1.2).
  if (in.max_output_tokens && model.output_token_limit > 0 &&
      *in.max_output_tokens >= model.output_token_limit) {
    return plainError(400, "Unable to submit request because it has a maxOutputTokens value of " +
                               std::to_string(*in.max_output_tokens) +
                               " but the supported range is from 1 (inclusive) to " +
                               std::to_string(model.output_token_limit) +
                               " (exclusive). Update the value and try again.");
  }
  std::optional<std::int64_t> candidates;
  if (auto e = integerConfig(gc, "candidateCount", candidates)) return e;
  in.candidate_count = static_cast<int>(std::clamp<std::int64_t>(candidates.value_or(1), 1, 8));

  if (const auto* tc = objectField(gc, "thinkingConfig")) {
    std::optional<std::int64_t> budget;
    if (auto e = integerConfig(tc, "thinkingBudget", budget)) return e;
    const std::string_view level = stringField(tc, "thinkingLevel");
    if (budget && *budget == 0 && alwaysThinks(model)) {
      return plainError(400, "Budget 0 is invalid. This model only works in thinking mode.");
    }
    if (model.id == "gemini-3-pro-preview" && (level == "MINIMAL" || level == "MEDIUM")) {
      return plainError(
          400, "Thinking level " + std::string(level) + " is not supported for this model.");
    }
    if (model.thinking.value_or(false) && !(budget && *budget == 0)) {
      in.thoughts_tokens = budget && *budget > 0
                               ? static_cast<int>(std::min<std::int64_t>(*budget, kThoughtTokens))
                               : kThoughtTokens;
      if (const auto* inc = field(*tc, "includeThoughts"); inc && inc->is_bool()) {
        in.include_thoughts = inc->get_bool();
      }
    }
  }

  if (isGemini3(model)) return checkThoughtSignatures(arr);
  return std::nullopt;
}

struct Answer {
  std::vector<std::string> pieces;  // text deltas; their concatenation is the answer
  json::array calls;                // functionCall parts, when the model "calls a tool"
  std::string thought;              // thought summary, when includeThoughts
  std::string finish_reason = "STOP";
  bool empty = false;    // 200 without candidates
  bool blocked = false;  // prompt blocked by safety
  bool image = false;    // append an inlineData image part
};

std::vector<std::string> splitText(const std::string& text, int n) {
  std::vector<std::size_t> word_starts;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!isSpace(text[i]) && (i == 0 || isSpace(text[i - 1]))) word_starts.push_back(i);
  }
  std::vector<std::size_t> cuts;
  const auto count = static_cast<std::size_t>(std::max(1, n));
  if (word_starts.size() >= count) {
    for (std::size_t k = 1; k < count; ++k)
      cuts.push_back(word_starts[k * word_starts.size() / count]);
  } else {
    for (std::size_t k = 1; k < count; ++k) {
      std::size_t pos = k * text.size() / count;
      while (pos < text.size() && (static_cast<unsigned char>(text[pos]) & 0xC0) == 0x80) ++pos;
      cuts.push_back(pos);
    }
  }
  std::vector<std::string> pieces;
  std::size_t begin = 0;
  for (const std::size_t cut : cuts) {
    if (cut <= begin || cut >= text.size()) continue;
    pieces.push_back(text.substr(begin, cut - begin));
    begin = cut;
  }
  pieces.push_back(text.substr(begin));
  return pieces;
}

// Keeps the first `max_words` words across the pieces.
void truncatePieces(std::vector<std::string>& pieces, std::int64_t max_words) {
  std::int64_t used = 0;
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    const int words = countWords(pieces[i]);
    if (used + words <= max_words) {
      used += words;
      continue;
    }
    std::string& p = pieces[i];
    std::size_t pos = 0;
    std::int64_t seen = 0;
    bool in_word = false;
    for (; pos < p.size(); ++pos) {
      if (isSpace(p[pos])) {
        in_word = false;
      } else if (!in_word) {
        in_word = true;
        if (used + seen == max_words) break;
        ++seen;
      }
    }
    p.resize(pos);
    pieces.resize(i + 1);
    if (p.empty()) pieces.pop_back();
    return;
  }
}

// A functionCall part for `name`, args from the text after "call_tool[:name]" when it is a
// JSON object.
json::object functionCallPart(const std::string& name, const std::string& text,
                              std::size_t args_from) {
  json::object args;
  std::size_t i = args_from;
  while (i < text.size() && isSpace(text[i])) ++i;
  if (i < text.size() && text[i] == '{') {
    json::parser p;
    boost::system::error_code ec;
    p.write_some(text.data() + i, text.size() - i, ec);
    if (!ec) {
      json::value v = p.release();
      if (v.is_object()) args = std::move(v.get_object());
    }
  }
  return json::object{{"functionCall", json::object{{"name", name}, {"args", std::move(args)}}}};
}

std::string signatureFor(const ModelInfo& model, std::string_view what) {
  return base64("fake-thought-signature/" + model.id + "/" + std::string(what));
}

void decideFunctionCalls(const GenerateInput& in, Answer& answer) {
  if (in.declared_functions.empty() || in.calling_mode == "NONE") return;
  const std::string& text = in.last_user_text;
  std::vector<std::string> candidates = in.declared_functions;
  if (in.calling_mode == "ANY" && !in.allowed_functions.empty()) candidates = in.allowed_functions;
  if (contains(text, "call_tools_all")) {
    for (const auto& name : candidates) answer.calls.push_back(functionCallPart(name, "", 0));
  } else if (const auto pos = text.find("call_tool"); pos != std::string::npos) {
    std::string name = candidates.front();
    std::size_t after = pos + 9;
    if (after < text.size() && text[after] == ':') {
      std::size_t end = after + 1;
      while (end < text.size() && !isSpace(text[end]) && text[end] != '{') ++end;
      const std::string wanted = text.substr(after + 1, end - after - 1);
      if (std::find(candidates.begin(), candidates.end(), wanted) != candidates.end()) {
        name = wanted;
      }
      after = end;
    }
    answer.calls.push_back(functionCallPart(name, text, after));
  }
  if (!answer.calls.empty()) {
    auto& first = answer.calls.front().as_object();
    first["thoughtSignature"] =
        signatureFor(*in.model, first["functionCall"].as_object()["name"].as_string());
  }
}

json::array safetyRatings(bool blocked) {
  json::array ratings;
  for (const std::string_view category :
       {"HARM_CATEGORY_SEXUALLY_EXPLICIT", "HARM_CATEGORY_HATE_SPEECH", "HARM_CATEGORY_HARASSMENT",
        "HARM_CATEGORY_DANGEROUS_CONTENT"}) {
    json::object r{{"category", category}, {"probability", "NEGLIGIBLE"}};
    if (blocked && category == "HARM_CATEGORY_DANGEROUS_CONTENT") {
      r["probability"] = "HIGH";
      r["blocked"] = true;
    }
    ratings.push_back(std::move(r));
  }
  return ratings;
}

class ResponseBuilder {
 public:
  ResponseBuilder(const GenerateInput& in, std::string response_id)
      : in_(in), response_id_(std::move(response_id)) {}

  json::object usage(int candidates_tokens) const {
    json::object u;
    u["promptTokenCount"] = in_.prompt.total();
    if (candidates_tokens > 0) u["candidatesTokenCount"] = candidates_tokens;
    u["totalTokenCount"] = in_.prompt.total() + candidates_tokens + in_.thoughts_tokens;
    u["promptTokensDetails"] = promptTokensDetails(in_.prompt);
    if (in_.thoughts_tokens > 0) u["thoughtsTokenCount"] = in_.thoughts_tokens;
    return u;
  }

  json::object response(json::array candidates, int candidates_tokens,
                        std::optional<json::object> prompt_feedback = std::nullopt) const {
    json::object r;
    if (!candidates.empty()) r["candidates"] = std::move(candidates);
    if (prompt_feedback) r["promptFeedback"] = std::move(*prompt_feedback);
    r["usageMetadata"] = usage(candidates_tokens);
    r["modelVersion"] = in_.model->id;
    r["responseId"] = response_id_;
    return r;
  }

  static json::object candidate(json::array parts, std::string_view finish, bool calls, int index) {
    json::object c;
    c["content"] = json::object{{"parts", std::move(parts)}, {"role", "model"}};
    if (!finish.empty()) c["finishReason"] = finish;
    if (finish == "SAFETY") c["safetyRatings"] = safetyRatings(true);
    c["index"] = index;
    if (calls && !finish.empty()) c["finishMessage"] = kFunctionCallFinishMessage;
    return c;
  }

  json::object blockedResponse() const {
    json::object feedback{{"blockReason", "SAFETY"}, {"safetyRatings", safetyRatings(true)}};
    return response({}, 0, std::move(feedback));
  }

 private:
  const GenerateInput& in_;
  std::string response_id_;
};

// A 1x1 transparent PNG, the "image" of image models.
constexpr std::string_view kTinyPng =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGBgAAAABQABpfZFQAAAAABJRU5ErkJggg"
    "==";

json::object imagePart() {
  return json::object{{"inlineData", json::object{{"mimeType", "image/png"}, {"data", kTinyPng}}}};
}

json::object textPart(const std::string& text) {
  return json::object{{"text", text}};
}

int callTokens(const Answer& a) {
  return static_cast<int>(a.calls.size()) * kFunctionPartTokens;
}

std::vector<json::object> streamChunks(const GenerateInput& in, const Answer& a,
                                       const ResponseBuilder& b) {
  std::vector<json::object> chunks;
  if (a.blocked) return {b.blockedResponse()};
  if (a.empty) return {b.response({}, 0)};
  if (!a.thought.empty()) {
    json::array parts{json::object{{"text", a.thought}, {"thought", true}}};
    chunks.push_back(b.response({ResponseBuilder::candidate(std::move(parts), "", false, 0)}, 0));
  }
  if (!a.calls.empty()) {
    chunks.push_back(
        b.response({ResponseBuilder::candidate(a.calls, a.finish_reason, true, 0)}, callTokens(a)));
    return chunks;
  }
  std::string so_far;
  for (std::size_t i = 0; i < a.pieces.size(); ++i) {
    so_far += a.pieces[i];
    const bool last = i + 1 == a.pieces.size();
    json::object part = textPart(a.pieces[i]);
    if (i == 0 && isGemini3(*in.model) && in.thoughts_tokens > 0) {
      part["thoughtSignature"] = signatureFor(*in.model, "text");
    }
    json::array parts{std::move(part)};
    if (last && a.image) parts.push_back(imagePart());
    chunks.push_back(b.response(
        {ResponseBuilder::candidate(std::move(parts), last ? a.finish_reason : "", false, 0)},
        countWords(so_far)));
  }
  return chunks;
}

json::object unaryResponse(const GenerateInput& in, const Answer& a, const ResponseBuilder& b) {
  if (a.blocked) return b.blockedResponse();
  if (a.empty) return b.response({}, 0);
  json::array parts;
  if (!a.thought.empty()) parts.push_back(json::object{{"text", a.thought}, {"thought", true}});
  int tokens = 0;
  if (!a.calls.empty()) {
    for (const auto& c : a.calls) parts.push_back(c);
    tokens = callTokens(a);
  } else {
    std::string text;
    for (const auto& p : a.pieces) text += p;
    json::object part = textPart(text);
    if (isGemini3(*in.model) && in.thoughts_tokens > 0) {
      part["thoughtSignature"] = signatureFor(*in.model, "text");
    }
    parts.push_back(std::move(part));
    if (a.image) parts.push_back(imagePart());
    tokens = countWords(text);
  }
  json::array candidates;
  for (int i = 0; i < in.candidate_count; ++i) {
    candidates.push_back(ResponseBuilder::candidate(parts, a.finish_reason, !a.calls.empty(), i));
  }
  return b.response(std::move(candidates), tokens * in.candidate_count);
}

struct StreamShape {
  int explicit_chunks = 0;  // 0: split the answer into the default number of pieces
  int interval_ms = 0;
  int first_frame_delay_ms = 0;
  int delay_before_headers_ms = 0;
  bool sse_crlf = true;
};

// A small instance of a JSON schema for structured output: every declared property, one item per
// array, strings = `text`, numbers = its word count, the first enum value.
json::value schemaInstance(const json::value& schema, const std::string& text, int depth) {
  const json::object* s = schema.if_object();
  if (s == nullptr || depth > 8) return nullptr;
  if (const auto* e = arrayField(s, "enum"); e != nullptr && !e->empty()) return e->front();
  if (const auto* any = arrayField(s, "anyOf"); any != nullptr && !any->empty()) {
    return schemaInstance(any->front(), text, depth + 1);
  }
  std::string type(stringField(s, "type"));
  if (const auto* types = arrayField(s, "type"); types != nullptr && !types->empty()) {
    type = types->front().is_string() ? std::string(types->front().get_string()) : "";
  }
  if (type.empty() && objectField(s, "properties") != nullptr) type = "object";
  for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (type == "object") {
    json::object out;
    if (const auto* props = objectField(s, "properties")) {
      for (const auto& [name, sub] : *props) out[name] = schemaInstance(sub, text, depth + 1);
    }
    return out;
  }
  if (type == "array") {
    json::array out;
    if (const auto* items = field(*s, "items"); items != nullptr && items->is_object()) {
      out.push_back(schemaInstance(*items, text, depth + 1));
    }
    return out;
  }
  if (type == "integer" || type == "number") return countWords(text);
  if (type == "boolean") return true;
  if (type == "null") return nullptr;
  return json::string(text);
}

Answer composeAnswer(const GenerateInput& in, const StreamShape& shape, int default_chunks) {
  Answer a;
  const std::string& knobs = in.prompt.all_text;
  a.empty = contains(knobs, "fake_empty");
  a.blocked = contains(knobs, "fake_block");
  a.image = contains(in.model->id, "-image");
  if (in.include_thoughts) {
    a.thought = "**Considering the request**\n\nThe user wrote: " + in.last_user_text;
  }
  decideFunctionCalls(in, a);
  if (!a.calls.empty()) return a;

  std::string base = !in.last_user_text.empty() || in.tool_results.empty()
                         ? "echo: " + in.last_user_text
                         : "tool result: " + in.tool_results;
  if (in.json_output) {
    base = formatJson(in.json_schema ? schemaInstance(*in.json_schema, base, 0)
                                     : json::value(json::object{{"echo", base}}),
                      JsonLayout::kCompact);
  }
  if (shape.explicit_chunks > 0) {
    a.pieces.push_back(base);
    for (int i = 2; i <= shape.explicit_chunks; ++i) a.pieces.push_back(" " + std::to_string(i));
  } else {
    a.pieces = splitText(base, default_chunks);
  }
  if (in.max_output_tokens && *in.max_output_tokens > 0) {
    int words = 0;
    for (const auto& p : a.pieces) words += countWords(p);
    if (words > *in.max_output_tokens) {
      truncatePieces(a.pieces, *in.max_output_tokens);
      if (a.pieces.empty()) a.pieces.emplace_back();
      a.finish_reason = "MAX_TOKENS";
    }
  }
  if (const auto pos = knobs.find("fake_finish="); pos != std::string::npos) {
    std::size_t end = pos + 12;
    while (end < knobs.size() && ((knobs[end] >= 'A' && knobs[end] <= 'Z') || knobs[end] == '_')) {
      ++end;
    }
    if (end > pos + 12) a.finish_reason = knobs.substr(pos + 12, end - pos - 12);
  }
  return a;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

std::string GeminiResponder::nextResponseId() {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::uint64_t x = splitmix64(++responses_);
  std::uint64_t y = splitmix64(x);
  std::string id;
  for (int i = 0; i < 23; ++i) {
    id.push_back(kAlphabet[x & 63]);
    x = (x >> 6) | (y << 58);
    y >>= 6;
  }
  return id;
}

ResponsePlan GeminiResponder::respond(const FakeRequest& request) {
  const std::string_view target = request.target;
  const auto qmark = target.find('?');
  const std::string path = percentDecode(target.substr(0, qmark), false);
  const QueryParams query =
      parseQuery(qmark == std::string_view::npos ? std::string_view{} : target.substr(qmark + 1));

  // Authentication, as Google does it: x-goog-api-key, else ?key=. A bearer token is OAuth.
  std::string key;
  std::string key_source;
  if (auto h = header(request, "x-goog-api-key"); h && !h->empty()) {
    key = *h;
    key_source = "header";
  } else if (auto q = queryParam(query, "key"); q && !q->empty()) {
    key = *q;
    key_source = "query";
  }
  if (FakeResources::serves(path)) {
    ResponsePlan plan;
    plan.key = key;
    plan.key_source = key_source;
    if (key.empty()) {
      plan = errorReply(missingApiKey());
    } else if (!script_.isValidKey(key)) {
      plan = errorReply(apiKeyInvalid());
    } else {
      ResourceReply r = resources_.handle(request.method, path, query, request.headers,
                                          request.body, key, header(request, "host").value_or(""));
      plan = reply(r.status, std::move(r.body), kJsonContentType);
      plan.headers = std::move(r.headers);
    }
    plan.key = key;
    plan.key_source = key_source;
    return plan;
  }
  const auto route = parseRoute(request.method, path);
  auto finish = [&](ResponsePlan plan) {
    plan.key = key;
    plan.key_source = key_source;
    if (route) plan.model = route->model;
    return plan;
  };
  if (!route) return finish(pathNotFound(path));
  if (key.empty()) {
    const auto auth = header(request, "authorization");
    return finish(
        errorReply(auth && startsWith(*auth, "Bearer ") ? bearerNotAccepted() : missingApiKey()));
  }
  // The Live endpoint takes the upgrade of an invalid or exhausted key, as Google's does, and
  // answers the session's setup with a close frame; a plain GET gets Google's HTML 404.
  auto messageOf = [](const GeminiError& e) {
    return std::string(e.envelope.at("error").as_object().at("message").as_string());
  };
  auto live = [&](std::optional<unsigned> close_code, std::string close_reason) {
    const auto upgrade = header(request, "upgrade");
    if (!upgrade || (*upgrade != "websocket" && *upgrade != "WebSocket")) {
      return pathNotFound(path);
    }
    ResponsePlan plan;
    plan.kind = ResponsePlan::Kind::kLive;
    plan.status = 101;
    plan.live_close_code = close_code;
    plan.live_close_reason = std::move(close_reason);
    return plan;
  };
  if (!script_.isValidKey(key)) {
    if (route->kind == Route::Kind::kLive) {
      return finish(live(1007, messageOf(apiKeyInvalid())));
    }
    return finish(errorReply(apiKeyInvalid()));
  }

  const std::optional<ScriptedResponse> scripted = script_.take(key, route->model);
  const int scripted_delay = scripted ? scripted->delay_ms : 0;
  auto delayed = [&](ResponsePlan plan) {
    plan.delay_before_headers_ms += scripted_delay;
    return finish(std::move(plan));
  };
  if (route->kind == Route::Kind::kLive && scripted && scripted->action.empty()) {
    if (scripted->status == 429) {
      const GeminiError quota = quotaExceeded(
          "gemini-live", "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
          scripted->retry_delay.empty() ? "17s" : scripted->retry_delay, scripted->message);
      return delayed(live(1011, messageOf(quota)));
    }
    if (scripted->status == 400 && scripted->reason == "API_KEY_INVALID") {
      return delayed(live(1007, messageOf(apiKeyInvalid())));
    }
  }
  if (scripted && scripted->action.empty() && scripted->status != 200) {
    const auto status = static_cast<unsigned>(scripted->status);
    if (status == 429) {
      return delayed(errorReply(quotaExceeded(
          scripted->model.empty() ? std::string_view(route->model) : scripted->model,
          scripted->quota_id.empty() ? "GenerateRequestsPerMinutePerProjectPerModel-FreeTier"
                                     : scripted->quota_id,
          scripted->retry_delay, scripted->message)));
    }
    if (status == 400 && scripted->reason == "API_KEY_INVALID") {
      return delayed(errorReply(apiKeyInvalid()));
    }
    if (status == 502) {
      return delayed(htmlError(502, "Server Error",
                               "The server encountered a temporary error and could not complete "
                               "your request.<p>Please try again in 30 seconds."));
    }
    return delayed(errorReply(errorForStatus(status, scripted->message)));
  }
  if (scripted &&
      (scripted->action == "reset" || scripted->action == "close" || scripted->action == "hang")) {
    ResponsePlan plan;
    plan.kind = scripted->action == "reset"   ? ResponsePlan::Kind::kReset
                : scripted->action == "close" ? ResponsePlan::Kind::kClose
                                              : ResponsePlan::Kind::kHang;
    plan.status = 0;
    return delayed(std::move(plan));
  }

  if (route->kind == Route::Kind::kLive) return delayed(live(std::nullopt, {}));
  if (route->kind == Route::Kind::kModelMethod) {
    // A file or cache this key cannot see (created with another key).
    if (auto denied = resources_.checkReferences(key, request.body)) {
      return delayed(errorReply(*denied));
    }
  }
  if (route->kind == Route::Kind::kListModels) {
    const auto& models = modelCatalogue();
    std::size_t page_size = 50;
    if (auto ps = queryParam(query, "pageSize")) {
      std::int64_t n = 0;
      const auto [end_ptr, ec] = std::from_chars(ps->data(), ps->data() + ps->size(), n);
      if (ps->empty() || ec != std::errc{} || end_ptr != ps->data() + ps->size()) {
        return delayed(errorReply(invalidValue("page_size", "TYPE_INT32", "\"" + *ps + "\"")));
      }
      if (n > 0) page_size = static_cast<std::size_t>(std::min<std::int64_t>(n, 1000));
    }
    std::size_t start = 0;
    if (auto token = queryParam(query, "pageToken"); token && !token->empty()) {
      const auto raw = unbase64(*token);
      const std::size_t found =
          raw && raw->size() > 2 && (*raw)[0] == '\x0a'
              ? static_cast<std::size_t>(std::find_if(models.begin(), models.end(),
                                                      [&](const ModelInfo& m) {
                                                        return raw->substr(2) == "models/" + m.id;
                                                      }) -
                                         models.begin())
              : models.size();
      if (found == models.size()) {
        return delayed(errorReply(plainError(400, "Invalid page token.")));
      }
      start = found;
    }
    json::array page;
    const std::size_t end = std::min(models.size(), start + page_size);
    for (std::size_t i = start; i < end; ++i) page.push_back(modelToJson(models[i]));
    json::object out{{"models", std::move(page)}};
    if (end < models.size()) {
      const std::string name = "models/" + models[end].id;
      out["nextPageToken"] = base64(std::string("\x0a") + static_cast<char>(name.size()) + name);
    }
    return delayed(jsonReply(out));
  }

  const ModelInfo* model = findModel(route->model);
  if (route->kind == Route::Kind::kGetModel) {
    if (model == nullptr)
      return delayed(errorReply(modelNotFound(route->model, route->version, "get")));
    return delayed(jsonReply(modelToJson(*model)));
  }
  if (model == nullptr || !supportsMethod(*model, route->method)) {
    return delayed(errorReply(modelNotFound(route->model, route->version, route->method)));
  }

  json::object body;
  if (auto e = parseBody(request.body, body)) return delayed(errorReply(*e));
  const std::string model_name = "models/" + model->id;

  if (route->method == "countTokens") {
    if (auto e = rejectUnknownFields(body, {"contents", "generateContentRequest", "model"}, "")) {
      return delayed(errorReply(*e));
    }
    const auto* gcr = objectField(&body, "generateContentRequest");
    if (gcr != nullptr && field(body, "contents") != nullptr) {
      return delayed(errorReply(
          plainError(400,
                     "* CountTokensRequest: contents and generate_content_request are mutually "
                     "exclusive.\n")));
    }
    GenerateInput in;
    if (gcr != nullptr) {
      json::object inner = *gcr;
      inner.erase("model");
      if (auto e = readGenerateInput(inner, *model, "GenerateContentRequest", in)) {
        return delayed(errorReply(*e));
      }
    } else if (auto e = validateContents(field(body, "contents"), "CountTokensRequest")) {
      return delayed(errorReply(*e));
    } else {
      for (const auto& c : field(body, "contents")->get_array()) accumulateContent(c, in.prompt);
    }
    return delayed(
        jsonReply(json::object{{"totalTokens", in.prompt.total()},
                               {"promptTokensDetails", promptTokensDetails(in.prompt)}}));
  }

  if (route->method == "embedContent" || route->method == "batchEmbedContents") {
    const bool batch = route->method == "batchEmbedContents";
    std::vector<const json::object*> requests;
    if (batch) {
      if (auto e = rejectUnknownFields(body, {"requests"}, "")) return delayed(errorReply(*e));
      const auto* reqs = arrayField(&body, "requests");
      if (reqs == nullptr || reqs->empty()) {
        return delayed(errorReply(
            plainError(400, "* BatchEmbedContentsRequest.requests: requests is not specified\n")));
      }
      for (std::size_t i = 0; i < reqs->size(); ++i) {
        const auto& r = (*reqs)[i];
        const std::string_view m = r.is_object() ? stringField(&r.get_object(), "model") : "";
        if (m != model_name) {
          return delayed(errorReply(
              plainError(400, "* BatchEmbedContentsRequest.requests[" + std::to_string(i) +
                                  "].model: The model in the request (" +
                                  (m.empty() ? std::string("unset") : std::string(m)) +
                                  ") must match the model in the URL (" + model_name + ").\n")));
        }
        requests.push_back(&r.get_object());
      }
    } else {
      if (const auto m = stringField(&body, "model"); !m.empty() && m != model_name) {
        return delayed(errorReply(plainError(
            400, "* EmbedContentRequest.model: The model in the request (" + std::string(m) +
                     ") must match the model in the URL (" + model_name + ").\n")));
      }
      requests.push_back(&body);
    }
    json::array embeddings;
    for (std::size_t i = 0; i < requests.size(); ++i) {
      const json::object& r = *requests[i];
      const std::string where =
          batch ? "BatchEmbedContentsRequest.requests[" + std::to_string(i) + "]"
                : std::string("EmbedContentRequest");
      if (auto e = rejectUnknownFields(
              r, {"model", "content", "taskType", "title", "outputDimensionality"},
              batch ? "requests[" + std::to_string(i) + "]" : "")) {
        return delayed(errorReply(*e));
      }
      const auto* content = objectField(&r, "content");
      const auto* parts = arrayField(content, "parts");
      if (parts == nullptr || parts->empty()) {
        return delayed(
            errorReply(plainError(400, "* " + where + ".content: content is not specified\n")));
      }
      std::string text;
      for (const auto& p : *parts) {
        if (p.is_object()) text += stringField(&p.get_object(), "text");
      }
      std::optional<std::int64_t> dims;
      if (const auto* d = field(r, "outputDimensionality")) dims = asInteger(*d);
      const int n = static_cast<int>(
          std::clamp<std::int64_t>(dims.value_or(model->embedding_dimensions), 1, 3072));
      json::array values;
      values.reserve(static_cast<std::size_t>(n));
      const std::uint64_t seed = fnv1a(text);
      for (int k = 0; k < n; ++k) {
        const auto x = splitmix64(seed + static_cast<std::uint64_t>(k));
        values.emplace_back(static_cast<double>(static_cast<int>(x % 20001) - 10000) / 10000.0);
      }
      embeddings.push_back(json::object{{"values", std::move(values)}});
    }
    if (batch) return delayed(jsonReply(json::object{{"embeddings", std::move(embeddings)}}));
    return delayed(jsonReply(json::object{{"embedding", std::move(embeddings.front())}}));
  }

  // generateContent / streamGenerateContent
  GenerateInput in;
  if (auto e = readGenerateInput(body, *model, "GenerateContentRequest", in)) {
    return delayed(errorReply(*e));
  }
  const std::string& knobs = in.prompt.all_text;
  const bool stream = route->method == "streamGenerateContent";
  const bool midstream = stream && scripted && startsWith(scripted->action, "midstream_");

  StreamShape shape;
  shape.sse_crlf = options_.sse_crlf && !contains(knobs, "fake_sse_lf");
  if (contains(knobs, "long_stream")) shape.explicit_chunks = options_.long_stream_chunks;
  if (auto n = knobValue(knobs, "fake_chunks=")) shape.explicit_chunks = std::clamp(*n, 1, 10000);
  if (scripted && scripted->chunks > 0) shape.explicit_chunks = scripted->chunks;
  if (midstream && std::max(shape.explicit_chunks, options_.default_stream_chunks) <
                       scripted->after_chunks + 1) {
    shape.explicit_chunks = scripted->after_chunks + 1;
  }
  if (contains(knobs, "slow_stream")) shape.interval_ms = options_.slow_stream_interval_ms;
  if (auto n = knobValue(knobs, "fake_chunk_delay_ms=")) shape.interval_ms = *n;
  if (scripted && scripted->chunk_delay_ms >= 0) shape.interval_ms = scripted->chunk_delay_ms;
  shape.first_frame_delay_ms = knobValue(knobs, "fake_ttft_ms=").value_or(0);
  shape.delay_before_headers_ms = knobValue(knobs, "fake_delay_ms=").value_or(0);

  const Answer answer = composeAnswer(in, shape, options_.default_stream_chunks);
  const ResponseBuilder builder(in, nextResponseId());

  if (!stream) {
    ResponsePlan plan = jsonReply(unaryResponse(in, answer, builder));
    plan.delay_before_headers_ms = shape.delay_before_headers_ms;
    return delayed(std::move(plan));
  }

  ResponsePlan plan;
  plan.kind = ResponsePlan::Kind::kStream;
  plan.status = 200;
  plan.delay_before_headers_ms = shape.delay_before_headers_ms;
  plan.delay_before_first_frame_ms = shape.first_frame_delay_ms;
  plan.frame_interval_ms = shape.interval_ms;
  const bool sse = queryParam(query, "alt").value_or("") == "sse";
  const std::string terminator = shape.sse_crlf ? "\r\n\r\n" : "\n\n";
  auto frame = [&](const json::object& o, bool first) {
    if (sse) return "data: " + formatJson(o, JsonLayout::kStreamChunk) + terminator;
    return (first ? "" : ",\r\n") + formatJson(o, JsonLayout::kPretty);
  };
  const auto chunks = streamChunks(in, answer, builder);
  for (std::size_t i = 0; i < chunks.size(); ++i) plan.frames.push_back(frame(chunks[i], i == 0));
  if (sse) {
    plan.content_type = "text/event-stream";
  } else {
    plan.content_type = kJsonContentType;
    plan.stream_prefix = "[";
    plan.stream_suffix = "]";
  }
  if (midstream) {
    const auto keep =
        std::min<std::size_t>(plan.frames.size(), static_cast<std::size_t>(scripted->after_chunks));
    plan.frames.resize(keep);
    if (scripted->action == "midstream_truncate") {
      // The kept chunks carry no finishReason (only the last chunk of an answer has one), and
      // the stream ends as a complete one would.
    } else if (scripted->action == "midstream_error") {
      const GeminiError e = errorForStatus(500, scripted->message);
      plan.frames.push_back(
          sse ? "data: " + formatJson(e.envelope, JsonLayout::kCompact) + terminator
              : (keep == 0 ? "" : ",\r\n") + formatJson(e.envelope, JsonLayout::kPretty));
    } else {
      plan.stream_suffix.clear();
      plan.stream_end = scripted->action == "midstream_reset" ? ResponsePlan::StreamEnd::kReset
                                                              : ResponsePlan::StreamEnd::kClose;
    }
  }
  return delayed(std::move(plan));
}

}  // namespace poise::fakes
