#include "protocols/anthropic/messages_stream.h"

#include <boost/json/serialize.hpp>

#include "protocols/anthropic/messages_mapping.h"
#include "protocols/json_fields.h"

namespace poise::protocols {

namespace json = boost::json;

namespace {

void appendEvent(std::string& out, std::string_view type, const json::object& payload) {
  out += "event: ";
  out += type;
  out += "\ndata: ";
  out += json::serialize(payload);
  out += "\n\n";
}

}  // namespace

MessagesStreamTranslator::MessagesStreamTranslator(MessagesResponseContext context,
                                                   std::string message_id, IdMint ids)
    : context_(std::move(context)), message_id_(std::move(message_id)), ids_(ids) {}

std::string MessagesStreamTranslator::ping() {
  std::string out;
  appendEvent(out, "ping", json::object{{"type", "ping"}});
  return out;
}

void MessagesStreamTranslator::start(std::string& out) {
  if (started_) return;
  started_ = true;
  json::object usage = anthropicUsage(usage_);
  usage["output_tokens"] = 0;
  json::object message;
  message["id"] = message_id_;
  message["type"] = "message";
  message["role"] = "assistant";
  message["model"] = context_.client_model;
  message["content"] = json::array{};
  message["stop_reason"] = nullptr;
  message["stop_sequence"] = nullptr;
  message["usage"] = std::move(usage);
  appendEvent(out, "message_start",
              json::object{{"type", "message_start"}, {"message", std::move(message)}});
  out += ping();
}

void MessagesStreamTranslator::openBlock(std::string& out, Block kind, json::object content_block) {
  closeBlock(out);
  block_ = kind;
  ++block_index_;
  appendEvent(out, "content_block_start",
              json::object{{"type", "content_block_start"},
                           {"index", block_index_},
                           {"content_block", std::move(content_block)}});
}

void MessagesStreamTranslator::delta(std::string& out, json::object d) {
  appendEvent(
      out, "content_block_delta",
      json::object{
          {"type", "content_block_delta"}, {"index", block_index_}, {"delta", std::move(d)}});
}

void MessagesStreamTranslator::closeBlock(std::string& out) {
  if (block_ == Block::kNone) return;
  if (block_ == Block::kThinking && !pending_signature_.empty()) {
    delta(out, json::object{{"type", "signature_delta"}, {"signature", pending_signature_}});
  }
  pending_signature_.clear();
  appendEvent(out, "content_block_stop",
              json::object{{"type", "content_block_stop"}, {"index", block_index_}});
  block_ = Block::kNone;
}

Result<std::string> MessagesStreamTranslator::feed(std::string_view event_data) {
  if (done_) return std::string{};
  auto read = readStreamChunk(event_data, upstream_status_);
  if (!read) return read.error();
  const GenerateResponse& r = *read;
  if (r.usage.present) usage_ = r.usage;
  if (!r.block_reason.empty()) prompt_blocked_ = true;

  std::string out;
  start(out);
  for (const GeminiCandidate& c : r.candidates) {
    if (c.index != 0) continue;
    for (const GeminiPart& p : c.parts) {
      if (p.kind == GeminiPart::Kind::kText && !p.text.empty()) {
        if (block_ != Block::kText) {
          openBlock(out, Block::kText, json::object{{"type", "text"}, {"text", ""}});
        }
        delta(out, json::object{{"type", "text_delta"}, {"text", p.text}});
        text_ += p.text;
      } else if (p.kind == GeminiPart::Kind::kThought && context_.include_thinking) {
        if (block_ != Block::kThinking) {
          openBlock(out, Block::kThinking,
                    json::object{{"type", "thinking"}, {"thinking", ""}, {"signature", ""}});
        }
        if (!p.text.empty()) {
          delta(out, json::object{{"type", "thinking_delta"}, {"thinking", p.text}});
        }
        if (!p.thought_signature.empty()) pending_signature_ = p.thought_signature;
      } else if (p.kind == GeminiPart::Kind::kFunctionCall) {
        json::object block = toolUseBlock(p, ids_);
        const std::string input = json::serialize(block["input"]);
        block["input"] = json::object{};
        openBlock(out, Block::kToolUse, std::move(block));
        delta(out, json::object{{"type", "input_json_delta"}, {"partial_json", input}});
        closeBlock(out);
        has_tool_use_ = true;
      }
    }
    if (!c.finish_reason.empty()) finish_reason_ = c.finish_reason;
  }
  return out;
}

std::string MessagesStreamTranslator::finish() {
  if (done_) return {};
  done_ = true;
  std::string out;
  start(out);
  closeBlock(out);
  json::object usage = anthropicUsage(usage_);
  appendEvent(
      out, "message_delta",
      json::object{
          {"type", "message_delta"},
          {"delta", json::object{{"stop_reason", anthropicStopReason(finish_reason_, has_tool_use_,
                                                                     prompt_blocked_)},
                                 {"stop_sequence", nullptr}}},
          {"usage", std::move(usage)}});
  appendEvent(out, "message_stop", json::object{{"type", "message_stop"}});
  return out;
}

std::string MessagesStreamTranslator::error(std::string_view message, unsigned status) {
  done_ = true;
  std::string out;
  appendEvent(out, "error", anthropicError(anthropicErrorType(status), message));
  return out;
}

}  // namespace poise::protocols
