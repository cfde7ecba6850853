#include "protocols/openai/chat_stream.h"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "protocols/json_fields.h"
#include "protocols/openai/chat_mapping.h"
#include "protocols/sse_parser.h"

namespace poise::protocols {

namespace json = boost::json;

namespace {

void appendEvent(std::string& out, const json::object& payload) {
  out += "data: ";
  out += json::serialize(payload);
  out += "\n\n";
}

}  // namespace

ChatStreamTranslator::ChatStreamTranslator(ChatResponseContext context, ResponseStamp stamp,
                                           IdMint ids)
    : context_(std::move(context)), stamp_(std::move(stamp)), ids_(ids) {}

json::object ChatStreamTranslator::chunk(json::array choices) const {
  json::object chunk;
  chunk["id"] = stamp_.id;
  chunk["object"] = "chat.completion.chunk";
  chunk["created"] = stamp_.created;
  chunk["model"] = model_.empty() ? context_.client_model : model_;
  chunk["choices"] = std::move(choices);
  return chunk;
}

void ChatStreamTranslator::appendChunk(std::string& out, json::array choices) {
  json::object c = chunk(std::move(choices));
  if (context_.include_usage) c["usage"] = nullptr;
  appendEvent(out, c);
}

json::object ChatStreamTranslator::choiceDelta(int index, json::object delta,
                                               std::string_view finish_reason) {
  json::object choice;
  choice["index"] = index;
  choice["delta"] = std::move(delta);
  choice["logprobs"] = nullptr;
  if (finish_reason.empty()) {
    choice["finish_reason"] = nullptr;
  } else {
    choice["finish_reason"] = finish_reason;
  }
  return choice;
}

void ChatStreamTranslator::closeChoice(std::string& out, int index, Choice& choice) {
  if (choice.finished) return;
  if (!choice.started) {
    choice.started = true;
    appendChunk(out, json::array{choiceDelta(index, {{"role", "assistant"}, {"content", ""}})});
  }
  choice.finished = true;
  appendChunk(out,
              json::array{choiceDelta(
                  index, {}, openAiFinishReason(choice.finish_reason, choice.tool_calls > 0))});
}

Result<std::string> ChatStreamTranslator::feed(std::string_view event_data) {
  if (done_) return std::string{};
  auto read = readStreamChunk(event_data, upstream_status_);
  if (!read) return read.error();
  GenerateResponse& r = *read;
  // Fixed by the first chunk: every chunk of a stream names the same model.
  if (model_.empty()) model_ = r.model_version.empty() ? context_.client_model : r.model_version;
  if (r.usage.present) usage_ = r.usage;
  if (!r.block_reason.empty()) block_reason_ = r.block_reason;

  std::string out;
  for (const GeminiCandidate& c : r.candidates) {
    Choice& choice = choices_[c.index];
    if (choice.finished) continue;
    if (!choice.started) {
      choice.started = true;
      appendChunk(out, json::array{choiceDelta(c.index, {{"role", "assistant"}, {"content", ""}})});
    }
    std::string text;
    std::string reasoning;
    bool has_text = false;
    json::array calls;
    for (const GeminiPart& p : c.parts) {
      if (p.kind == GeminiPart::Kind::kText) {
        text += p.text;
        has_text = has_text || !p.text.empty();
      } else if (p.kind == GeminiPart::Kind::kThought) {
        reasoning += p.text;
      } else if (p.kind == GeminiPart::Kind::kFunctionCall) {
        calls.push_back(openAiToolCall(p, ids_, choice.tool_calls++));
      }
    }
    json::object delta;
    if (context_.include_reasoning && !reasoning.empty()) delta["reasoning_content"] = reasoning;
    if (has_text) delta["content"] = text;
    if (!calls.empty()) delta["tool_calls"] = std::move(calls);
    if (!delta.empty()) appendChunk(out, json::array{choiceDelta(c.index, std::move(delta))});
    if (!c.finish_reason.empty()) {
      choice.finish_reason = c.finish_reason;
      closeChoice(out, c.index, choice);
    }
  }
  return out;
}

std::string ChatStreamTranslator::finish() {
  if (done_) return {};
  done_ = true;
  std::string out;
  if (choices_.empty()) {
    // Nothing came (or the prompt was blocked): still one complete choice.
    Choice& choice = choices_[0];
    if (!block_reason_.empty()) choice.finish_reason = "SAFETY";
  }
  for (auto& [index, choice] : choices_) closeChoice(out, index, choice);
  if (context_.include_usage) {
    json::object c = chunk(json::array{});
    c["usage"] = openAiUsage(usage_);
    appendEvent(out, c);
  }
  out += "data: [DONE]\n\n";
  return out;
}

bool ChatStreamTranslator::ended() const {
  if (!block_reason_.empty()) return true;
  for (const auto& [index, choice] : choices_) {
    if (!choice.finish_reason.empty()) return true;
  }
  return false;
}

std::string ChatStreamTranslator::keepAlive() {
  return std::string(kSseKeepAlive);
}

std::string ChatStreamTranslator::error(std::string_view message, unsigned status,
                                        std::string_view code) {
  done_ = true;
  std::string out;
  appendEvent(out, openAiError(status, message, code));
  return out;
}

}  // namespace poise::protocols
