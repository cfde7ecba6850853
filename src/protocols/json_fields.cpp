#include "protocols/json_fields.h"

#include <boost/json/parse.hpp>
#include <cmath>
#include <limits>

#include "core/model_id.h"

namespace poise::protocols {

Error invalidRequest(std::string message) {
  return Error{ErrorCode::InvalidRequest, std::move(message)};
}

Error upstreamInvalid(std::string message) {
  return Error{ErrorCode::UpstreamInvalidResponse, std::move(message)};
}

Result<json::value> parseJsonBody(std::string_view body) {
  json::parse_options options;
  options.max_depth = 64;
  boost::system::error_code ec;
  json::value value = json::parse(body, ec, {}, options);
  if (ec) return invalidRequest("the body is not valid JSON: " + ec.message());
  return value;
}

const json::value* field(const json::object& object, std::string_view key) {
  const json::value* v = object.if_contains(key);
  if (v == nullptr || v->is_null()) return nullptr;
  return v;
}

std::string joinPath(std::string_view path, std::string_view key) {
  if (path.empty()) return std::string(key);
  std::string out(path);
  out += '.';
  out += key;
  return out;
}

std::string indexPath(std::string_view path, std::size_t i) {
  return std::string(path) + "[" + std::to_string(i) + "]";
}

std::optional<double> asNumber(const json::value& value) {
  if (value.is_int64()) return static_cast<double>(value.get_int64());
  if (value.is_uint64()) return static_cast<double>(value.get_uint64());
  if (value.is_double()) return value.get_double();
  return std::nullopt;
}

std::optional<std::int64_t> asInteger(const json::value& value) {
  if (value.is_int64()) return value.get_int64();
  if (value.is_uint64()) {
    if (value.get_uint64() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return std::nullopt;
    }
    return static_cast<std::int64_t>(value.get_uint64());
  }
  if (value.is_double()) {
    const double d = value.get_double();
    // 2^63 is exactly representable; anything at or beyond it does not fit.
    if (!std::isfinite(d) || d != std::floor(d) || d < -9.2233720368547758e18 ||
        d >= 9.2233720368547758e18) {
      return std::nullopt;
    }
    return static_cast<std::int64_t>(d);
  }
  return std::nullopt;
}

Result<std::optional<std::string_view>> optionalString(const json::object& object,
                                                       std::string_view key,
                                                       std::string_view path) {
  const json::value* v = field(object, key);
  if (v == nullptr) return std::optional<std::string_view>{};
  if (!v->is_string()) return invalidRequest(joinPath(path, key) + " must be a string");
  return std::optional<std::string_view>{std::string_view(v->get_string())};
}

Result<std::optional<double>> optionalNumber(const json::object& object, std::string_view key,
                                             std::string_view path) {
  const json::value* v = field(object, key);
  if (v == nullptr) return std::optional<double>{};
  auto n = asNumber(*v);
  if (!n) return invalidRequest(joinPath(path, key) + " must be a number");
  return n;
}

Result<std::optional<std::int64_t>> optionalInteger(const json::object& object,
                                                    std::string_view key, std::string_view path) {
  const json::value* v = field(object, key);
  if (v == nullptr) return std::optional<std::int64_t>{};
  auto n = asInteger(*v);
  if (!n) return invalidRequest(joinPath(path, key) + " must be an integer");
  return n;
}

Result<std::optional<bool>> optionalBool(const json::object& object, std::string_view key,
                                         std::string_view path) {
  const json::value* v = field(object, key);
  if (v == nullptr) return std::optional<bool>{};
  if (!v->is_bool()) return invalidRequest(joinPath(path, key) + " must be a boolean");
  return std::optional<bool>{v->get_bool()};
}

bool RequestReaderBase::readModelField(const json::object& body, const ModelAliases* aliases,
                                       std::string& client_model, std::string& model) {
  auto read = optionalString(body, "model", "");
  if (!read) return fail(read.error());
  if (!*read || (*read)->empty()) return fail("model is required");
  client_model = std::string(**read);
  model = resolveModel(client_model, aliases);
  if (model.empty()) return fail("model is required");
  if (!isGeminiModelId(model)) return fail(std::string(kInvalidModelMessage));
  return true;
}

}  // namespace poise::protocols
