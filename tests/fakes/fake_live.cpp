#include "fakes/fake_live.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <charconv>

#include "fakes/model_catalogue.h"

namespace poise::fakes {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace json = boost::json;

namespace {

std::size_t countWords(std::string_view text) {
  std::size_t n = 0;
  bool in_word = false;
  for (const char c : text) {
    const bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
    if (!space && !in_word) ++n;
    in_word = !space;
  }
  return n;
}

bool knownLiveModel(std::string_view id) {
  if (id.find("live") != std::string_view::npos) return true;
  if (id.find("native-audio") != std::string_view::npos) return true;
  return findModel(id) != nullptr;
}

// The text parts of the last user turn of clientContent.turns, joined by spaces.
std::string lastUserText(const json::object& content) {
  const auto* turns = content.if_contains("turns");
  if (turns == nullptr || !turns->is_array()) return {};
  std::string text;
  for (const auto& turn : turns->as_array()) {
    if (!turn.is_object()) continue;
    const auto* role = turn.as_object().if_contains("role");
    if (role != nullptr && role->is_string() && role->as_string() != "user") continue;
    const auto* parts = turn.as_object().if_contains("parts");
    if (parts == nullptr || !parts->is_array()) continue;
    text.clear();
    for (const auto& part : parts->as_array()) {
      if (!part.is_object()) continue;
      const auto* t = part.as_object().if_contains("text");
      if (t == nullptr || !t->is_string()) continue;
      if (!text.empty()) text += ' ';
      text += std::string_view(t->as_string());
    }
  }
  return text;
}

LiveReply answerTurn(const std::string& text) {
  LiveReply out;
  if (const auto pos = text.find("fake_close="); pos != std::string::npos) {
    unsigned code = 0;
    const char* begin = text.data() + pos + 11;
    std::from_chars(begin, text.data() + text.size(), code);
    out.close_code = code;
    out.close_reason = "closed by the fake (fake_close)";
    return out;
  }
  const std::string answer = "echo: " + text;
  const auto prompt = static_cast<std::int64_t>(std::max<std::size_t>(1, countWords(text)));
  const auto response = static_cast<std::int64_t>(countWords(answer));
  out.messages.push_back(json::serialize(json::object{
      {"serverContent",
       json::object{
           {"modelTurn", json::object{{"parts", json::array{json::object{{"text", answer}}}}}}}}}));
  out.messages.push_back(json::serialize(
      json::object{{"serverContent", json::object{{"turnComplete", true}}},
                   {"usageMetadata", json::object{{"promptTokenCount", prompt},
                                                  {"responseTokenCount", response},
                                                  {"totalTokenCount", prompt + response}}}}));
  return out;
}

}  // namespace

LiveReply LiveResponder::onMessage(std::string_view message) {
  LiveReply out;
  boost::system::error_code ec;
  const json::value v = json::parse(message, ec);
  if (ec || !v.is_object()) {
    out.close_code = 1007;
    out.close_reason = "Request contains an invalid argument.";
    return out;
  }
  const json::object& msg = v.as_object();
  if (!setup_done_) {
    const auto* setup = msg.if_contains("setup");
    const auto* model =
        setup != nullptr && setup->is_object() ? setup->as_object().if_contains("model") : nullptr;
    if (model == nullptr || !model->is_string()) {
      out.close_code = 1007;
      out.close_reason = "Request contains an invalid argument.";
      return out;
    }
    std::string_view id = model->as_string();
    if (id.starts_with("models/")) id.remove_prefix(7);
    if (!knownLiveModel(id)) {
      out.close_code = 1008;
      out.close_reason = "models/" + std::string(id) +
                         " is not found for API version v1beta, or is not supported for "
                         "bidiGenerateContent. Call ListModels to see the list of available "
                         "models and their supported methods.";
      return out;
    }
    setup_done_ = true;
    out.messages.emplace_back(R"({"setupComplete":{}})");
    return out;
  }
  if (const auto* content = msg.if_contains("clientContent"); content && content->is_object()) {
    const auto* complete = content->as_object().if_contains("turnComplete");
    if (complete != nullptr && complete->is_bool() && !complete->as_bool()) return out;
    return answerTurn(lastUserText(content->as_object()));
  }
  if (const auto* input = msg.if_contains("realtimeInput"); input && input->is_object()) {
    const auto* text = input->as_object().if_contains("text");
    if (text != nullptr && text->is_string()) return answerTurn(std::string(text->as_string()));
  }
  return out;
}

asio::awaitable<void> serveLiveSession(
    beast::tcp_stream& stream, const beast::http::request<beast::http::string_body>& request,
    std::optional<LiveReply> setup_close) {
  constexpr auto token = asio::as_tuple(asio::use_awaitable);
  websocket::stream<beast::tcp_stream&> ws(stream);
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
    res.set(beast::http::field::server, "scaffolding on HTTPServer2");
  }));
  if (auto [ec] = co_await ws.async_accept(request, token); ec) co_return;
  LiveResponder responder;
  beast::flat_buffer buffer;
  for (;;) {
    buffer.clear();
    auto [rec, n] = co_await ws.async_read(buffer, token);
    if (rec) co_return;  // the client closed (answered inside) or left
    LiveReply reply = responder.onMessage(beast::buffers_to_string(buffer.data()));
    if (setup_close) {
      reply = std::move(*setup_close);
      setup_close.reset();
    }
    ws.binary(true);  // Google sends its messages as binary frames
    for (const std::string& message : reply.messages) {
      if (auto [wec, wn] = co_await ws.async_write(asio::buffer(message), token); wec) co_return;
    }
    if (reply.close_code) {
      websocket::close_reason reason(static_cast<std::uint16_t>(*reply.close_code));
      // A close frame holds 123 bytes of reason; Google cuts longer ones the same way.
      const std::string_view text = reply.close_reason;
      reason.reason.assign(text.data(), std::min<std::size_t>(text.size(), 123));
      co_await ws.async_close(reason, token);
      co_return;
    }
  }
}

}  // namespace poise::fakes
