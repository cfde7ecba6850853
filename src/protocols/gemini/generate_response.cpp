#include "protocols/gemini/generate_response.h"

#include <algorithm>

#include "protocols/json_fields.h"

namespace poise::protocols {

namespace {

std::string stringField(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return {};
  return std::string(v->get_string());
}

GeminiPart readPart(const json::object& p) {
  GeminiPart part;
  part.thought_signature = stringField(p, "thoughtSignature");
  if (const json::value* fc = p.if_contains("functionCall"); fc != nullptr && fc->is_object()) {
    const json::object& call = fc->get_object();
    part.kind = GeminiPart::Kind::kFunctionCall;
    part.name = stringField(call, "name");
    part.call_id = stringField(call, "id");
    if (const json::value* args = call.if_contains("args"); args != nullptr && args->is_object()) {
      part.args = args->get_object();
    }
    return part;
  }
  if (const json::value* t = p.if_contains("text"); t != nullptr && t->is_string()) {
    const json::value* thought = p.if_contains("thought");
    const bool is_thought = thought != nullptr && thought->is_bool() && thought->get_bool();
    part.kind = is_thought ? GeminiPart::Kind::kThought : GeminiPart::Kind::kText;
    part.text = std::string(t->get_string());
    return part;
  }
  const json::value* inline_data = p.if_contains("inlineData");
  if (inline_data == nullptr) inline_data = p.if_contains("inline_data");
  if (inline_data != nullptr && inline_data->is_object()) {
    const json::object& d = inline_data->get_object();
    part.kind = GeminiPart::Kind::kInlineData;
    part.mime_type = stringField(d, "mimeType");
    if (part.mime_type.empty()) part.mime_type = stringField(d, "mime_type");
    part.data = stringField(d, "data");
    return part;
  }
  return part;
}

}  // namespace

std::optional<GeminiError> readGeminiError(const json::value& body) {
  const json::value* v = &body;
  if (v->is_array() && v->get_array().size() == 1) v = &v->get_array()[0];
  if (!v->is_object()) return std::nullopt;
  const json::value* e = v->get_object().if_contains("error");
  if (e == nullptr || !e->is_object()) return std::nullopt;
  const json::object& err = e->get_object();
  GeminiError out;
  if (const json::value* code = err.if_contains("code")) {
    out.code = static_cast<int>(std::clamp<std::int64_t>(asInteger(*code).value_or(0), 0, 999));
  }
  out.message = stringField(err, "message");
  out.status = stringField(err, "status");
  if (out.message.empty()) out.message = "upstream error";
  return out;
}

FinishKind classifyFinishReason(std::string_view r) {
  if (r == "MAX_TOKENS") return FinishKind::kLength;
  if (r == "SAFETY" || r == "RECITATION" || r == "BLOCKLIST" || r == "PROHIBITED_CONTENT" ||
      r == "SPII" || r == "LANGUAGE" || r == "OTHER" || r.starts_with("IMAGE_")) {
    return FinishKind::kFiltered;
  }
  return FinishKind::kStop;
}

unsigned httpStatusOf(const GeminiError& error) {
  return error.code >= 400 && error.code <= 599 ? static_cast<unsigned>(error.code) : 500U;
}

Result<GenerateResponse> readGenerateResponse(const json::value& body) {
  if (auto err = readGeminiError(body)) return Error{ErrorCode::UpstreamError, err->message};
  if (!body.is_object()) return upstreamInvalid("the upstream response is not a JSON object");
  const json::object& o = body.get_object();
  GenerateResponse out;
  out.model_version = stringField(o, "modelVersion");
  out.response_id = stringField(o, "responseId");
  if (const json::value* cands = o.if_contains("candidates"); cands != nullptr) {
    if (!cands->is_array()) return upstreamInvalid("candidates is not an array");
    for (const json::value& c : cands->get_array()) {
      if (!c.is_object()) return upstreamInvalid("a candidate is not an object");
      const json::object& co = c.get_object();
      GeminiCandidate cand;
      if (const json::value* idx = co.if_contains("index")) {
        cand.index = static_cast<int>(std::clamp<std::int64_t>(asInteger(*idx).value_or(0), 0, 64));
      }
      cand.finish_reason = stringField(co, "finishReason");
      if (const json::value* content = co.if_contains("content");
          content != nullptr && content->is_object()) {
        if (const json::value* parts = content->get_object().if_contains("parts");
            parts != nullptr && parts->is_array()) {
          for (const json::value& p : parts->get_array()) {
            if (p.is_object()) cand.parts.push_back(readPart(p.get_object()));
          }
        }
      }
      out.candidates.push_back(std::move(cand));
    }
  }
  if (const json::value* fb = o.if_contains("promptFeedback"); fb != nullptr && fb->is_object()) {
    out.block_reason = stringField(fb->get_object(), "blockReason");
  }
  if (const json::value* u = o.if_contains("usageMetadata"); u != nullptr && u->is_object()) {
    out.usage = readUsage(u->get_object());
  }
  return out;
}

Result<GenerateResponse> readStreamChunk(std::string_view event_data, unsigned& upstream_status) {
  auto body = parseJsonBody(event_data);
  if (!body) return upstreamInvalid("an upstream stream event is not JSON");
  if (auto err = readGeminiError(*body)) upstream_status = httpStatusOf(*err);
  return readGenerateResponse(*body);
}

}  // namespace poise::protocols
