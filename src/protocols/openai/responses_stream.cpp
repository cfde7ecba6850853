#include "protocols/openai/responses_stream.h"

#include <boost/json/serialize.hpp>

#include "protocols/json_fields.h"
#include "protocols/openai/chat_mapping.h"

namespace poise::protocols {

namespace json = boost::json;

namespace {

json::object outputTextPart(std::string_view text) {
  return json::object{{"type", "output_text"},
                      {"annotations", json::array{}},
                      {"logprobs", json::array{}},
                      {"text", text}};
}

json::object summaryPart(std::string_view text) {
  return json::object{{"type", "summary_text"}, {"text", text}};
}

}  // namespace

ResponsesStreamTranslator::ResponsesStreamTranslator(ResponsesContext context, ResponseStamp stamp,
                                                     IdMint ids, bool events)
    : context_(std::move(context)), stamp_(std::move(stamp)), ids_(ids), events_(events) {
  response_["id"] = stamp_.id;
  response_["object"] = "response";
  response_["created_at"] = stamp_.created;
  response_["status"] = "in_progress";
  response_["error"] = nullptr;
  response_["incomplete_details"] = nullptr;
  for (const auto& [key, value] : context_.echo) response_[key] = value;
  response_["model"] = context_.client_model;
  response_["output"] = json::array{};
  response_["usage"] = nullptr;
}

void ResponsesStreamTranslator::emit(std::string& out, std::string_view type,
                                     json::object payload) {
  const std::int64_t sequence = sequence_++;
  if (!events_) return;
  json::object event;
  event["type"] = type;
  event["sequence_number"] = sequence;
  for (auto& [key, value] : payload) event[key] = std::move(value);
  out += "event: ";
  out += type;
  out += "\ndata: ";
  out += json::serialize(event);
  out += "\n\n";
}

std::string ResponsesStreamTranslator::lifecycle(std::string_view type) {
  std::string out;
  if (!events_) {
    ++sequence_;
    return out;
  }
  emit(out, type, json::object{{"response", response_}});
  return out;
}

void ResponsesStreamTranslator::start(std::string& out) {
  if (started_) return;
  started_ = true;
  out += lifecycle("response.created");
  out += lifecycle("response.in_progress");
}

std::int64_t ResponsesStreamTranslator::outputIndex() const {
  return static_cast<std::int64_t>(output_.size());
}

json::object ResponsesStreamTranslator::itemEvent(json::object payload) const {
  json::object event{{"item_id", open_id_}, {"output_index", outputIndex()}};
  for (auto& [key, value] : payload) event[key] = std::move(value);
  return event;
}

void ResponsesStreamTranslator::openItem(std::string& out, Open kind) {
  if (open_ == kind) return;
  closeItem(out, "completed");
  open_ = kind;
  open_text_.clear();
  if (kind == Open::kMessage) {
    open_id_ = ids_.next("msg_");
    json::object item{{"id", open_id_},
                      {"type", "message"},
                      {"status", "in_progress"},
                      {"role", "assistant"},
                      {"content", json::array{}}};
    emit(out, "response.output_item.added",
         json::object{{"output_index", outputIndex()}, {"item", std::move(item)}});
    emit(out, "response.content_part.added",
         itemEvent({{"content_index", 0}, {"part", outputTextPart("")}}));
  } else {
    open_id_ = ids_.next("rs_");
    json::object item{{"id", open_id_}, {"type", "reasoning"}, {"summary", json::array{}}};
    emit(out, "response.output_item.added",
         json::object{{"output_index", outputIndex()}, {"item", std::move(item)}});
    emit(out, "response.reasoning_summary_part.added",
         itemEvent({{"summary_index", 0}, {"part", summaryPart("")}}));
  }
}

void ResponsesStreamTranslator::closeItem(std::string& out, std::string_view status) {
  json::object item;
  if (open_ == Open::kMessage) {
    emit(out, "response.output_text.done",
         itemEvent({{"content_index", 0}, {"text", open_text_}, {"logprobs", json::array{}}}));
    emit(out, "response.content_part.done",
         itemEvent({{"content_index", 0}, {"part", outputTextPart(open_text_)}}));
    item = json::object{{"id", open_id_},
                        {"type", "message"},
                        {"status", status},
                        {"role", "assistant"},
                        {"content", json::array{outputTextPart(open_text_)}}};
  } else if (open_ == Open::kReasoning) {
    emit(out, "response.reasoning_summary_text.done",
         itemEvent({{"summary_index", 0}, {"text", open_text_}}));
    emit(out, "response.reasoning_summary_part.done",
         itemEvent({{"summary_index", 0}, {"part", summaryPart(open_text_)}}));
    item = json::object{
        {"id", open_id_}, {"type", "reasoning"}, {"summary", json::array{summaryPart(open_text_)}}};
  } else {
    return;
  }
  emit(out, "response.output_item.done",
       json::object{{"output_index", outputIndex()}, {"item", item}});
  output_.push_back(std::move(item));
  open_ = Open::kNone;
}

void ResponsesStreamTranslator::addText(std::string& out, Open kind, std::string_view text) {
  if (text.empty()) return;
  openItem(out, kind);
  open_text_ += text;
  if (kind == Open::kMessage) {
    emit(out, "response.output_text.delta",
         itemEvent({{"content_index", 0}, {"delta", text}, {"logprobs", json::array{}}}));
  } else {
    emit(out, "response.reasoning_summary_text.delta",
         itemEvent({{"summary_index", 0}, {"delta", text}}));
  }
}

void ResponsesStreamTranslator::addFunctionCall(std::string& out, const GeminiPart& call) {
  closeItem(out, "completed");
  // The chat route's tool call (id with the thought signature appended) gives call_id.
  json::object chat_call = openAiToolCall(call, ids_);
  const json::string call_id = chat_call["id"].get_string();
  const json::string arguments = chat_call["function"].get_object()["arguments"].get_string();
  open_id_ = ids_.next("fc_");
  json::object item{{"id", open_id_},  {"type", "function_call"}, {"status", "in_progress"},
                    {"arguments", ""}, {"call_id", call_id},      {"name", call.name}};
  emit(out, "response.output_item.added",
       json::object{{"output_index", outputIndex()}, {"item", item}});
  emit(out, "response.function_call_arguments.delta", itemEvent({{"delta", arguments}}));
  emit(out, "response.function_call_arguments.done",
       itemEvent({{"name", call.name}, {"arguments", arguments}}));
  item["status"] = "completed";
  item["arguments"] = arguments;
  emit(out, "response.output_item.done",
       json::object{{"output_index", outputIndex()}, {"item", item}});
  output_.push_back(std::move(item));
}

Result<std::string> ResponsesStreamTranslator::feed(std::string_view event_data) {
  if (done_) return std::string{};
  auto read = readStreamChunk(event_data, upstream_status_);
  if (!read) return read.error();
  return feedResponse(*read);
}

std::string ResponsesStreamTranslator::feedResponse(const GenerateResponse& r) {
  std::string out;
  if (done_) return out;
  if (!started_ && !r.model_version.empty()) response_["model"] = r.model_version;
  start(out);
  if (r.usage.present) usage_ = r.usage;
  if (!r.block_reason.empty()) block_reason_ = r.block_reason;
  for (const GeminiCandidate& c : r.candidates) {
    if (c.index != 0) continue;  // the Responses API has one output
    for (const GeminiPart& p : c.parts) {
      if (p.kind == GeminiPart::Kind::kText) {
        addText(out, Open::kMessage, p.text);
      } else if (p.kind == GeminiPart::Kind::kThought && context_.include_reasoning) {
        addText(out, Open::kReasoning, p.text);
      } else if (p.kind == GeminiPart::Kind::kFunctionCall) {
        addFunctionCall(out, p);
      }
    }
    if (!c.finish_reason.empty()) finish_reason_ = c.finish_reason;
  }
  return out;
}

std::string ResponsesStreamTranslator::finish() {
  std::string out;
  if (done_) return out;
  start(out);
  done_ = true;
  std::string_view incomplete;
  if (!block_reason_.empty() && finish_reason_.empty()) {
    incomplete = "content_filter";
  } else if (!finish_reason_.empty()) {
    switch (classifyFinishReason(finish_reason_)) {
      case FinishKind::kLength:
        incomplete = "max_output_tokens";
        break;
      case FinishKind::kFiltered:
        incomplete = "content_filter";
        break;
      case FinishKind::kStop:
        break;
    }
  }
  closeItem(out, incomplete.empty() ? "completed" : "incomplete");
  response_["status"] = incomplete.empty() ? "completed" : "incomplete";
  if (!incomplete.empty()) response_["incomplete_details"] = json::object{{"reason", incomplete}};
  response_["output"] = output_;
  response_["usage"] = responsesUsage(usage_);
  out += lifecycle(incomplete.empty() ? "response.completed" : "response.incomplete");
  return out;
}

std::string ResponsesStreamTranslator::error(std::string_view message, unsigned status) {
  std::string out;
  if (done_) return out;
  start(out);
  done_ = true;
  response_["status"] = "failed";
  response_["error"] = json::object{
      {"code", status == 429 ? "rate_limit_exceeded" : "server_error"}, {"message", message}};
  response_["output"] = output_;
  if (usage_.present) response_["usage"] = responsesUsage(usage_);
  out += lifecycle("response.failed");
  return out;
}

Result<json::object> translateResponsesResponse(const json::value& gemini,
                                                const ResponsesContext& context,
                                                const ResponseStamp& stamp, IdMint ids) {
  auto read = readGenerateResponse(gemini);
  if (!read) return read.error();
  if (read->candidates.empty() && read->block_reason.empty()) {
    return upstreamInvalid("the upstream response has no candidates");
  }
  ResponsesStreamTranslator machine(context, stamp, ids, false);
  (void)machine.feedResponse(*read);
  (void)machine.finish();
  return machine.response();
}

}  // namespace poise::protocols
