// Typed reads of optional fields from a client's JSON body, shared by the request translators.
// A JSON null counts as absent, because SDKs send null for unset fields. Every error has the code
// "invalid_request" and names the offending field. Pure functions; thread-safe.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "protocols/model_name.h"

namespace poise::protocols {

namespace json = boost::json;

Error invalidRequest(std::string message);
Error upstreamInvalid(std::string message);

// Parses a request or response body. Depth is capped at 64 levels; anything that is not valid
// JSON is an "invalid_request" error. Never throws.
Result<json::value> parseJsonBody(std::string_view body);

// The value under `key`, or nullptr when it is missing or null.
const json::value* field(const json::object& object, std::string_view key);

// `path` names the field in error messages ("messages[2].content").
Result<std::optional<std::string_view>> optionalString(const json::object& object,
                                                       std::string_view key, std::string_view path);
Result<std::optional<double>> optionalNumber(const json::object& object, std::string_view key,
                                             std::string_view path);
// Accepts integral doubles (3.0) as well; rejects fractions and values outside int64.
Result<std::optional<std::int64_t>> optionalInteger(const json::object& object,
                                                    std::string_view key, std::string_view path);
Result<std::optional<bool>> optionalBool(const json::object& object, std::string_view key,
                                         std::string_view path);

// Integer value of a JSON number, when it is integral and fits in int64.
std::optional<std::int64_t> asInteger(const json::value& value);
// Numeric value of a JSON number (int64, uint64 or double).
std::optional<double> asNumber(const json::value& value);

// "path.key" (or "key" when path is empty).
std::string joinPath(std::string_view path, std::string_view key);
// "path[i]".
std::string indexPath(std::string_view path, std::size_t i);

// Base of the request readers: each step returns false after recording the first error.
class RequestReaderBase {
 protected:
  bool fail(Error e) {
    error_ = std::move(e);
    return false;
  }
  bool fail(std::string message) { return fail(invalidRequest(std::move(message))); }

  // Calls each(element, path) for every element of the array body[key]; each element must be
  // an object. A missing or null array means no calls, unless `required`: then it must be a
  // non-empty array. Stops at the first false.
  template <class Each>
  bool forEachObject(const json::object& body, std::string_view key, bool required, Each each) {
    const json::value* v = field(body, key);
    if (v == nullptr && !required) return true;
    if (v == nullptr || !v->is_array() || (required && v->get_array().empty())) {
      return fail(std::string(key) +
                  (required ? " must be a non-empty array" : " must be an array"));
    }
    const json::array& list = v->get_array();
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string path = indexPath(key, i);
      const json::object* o = list[i].if_object();
      if (o == nullptr) return fail(path + " must be an object");
      if (!each(*o, path)) return false;
    }
    return true;
  }

  // body.model (required) as the client sent it into `client_model`, and resolved through
  // `aliases` into `model`, the bare Gemini id, which must pass the model-id grammar.
  bool readModelField(const json::object& body, const ModelAliases* aliases,
                      std::string& client_model, std::string& model);

  // Moves the value of `r` into `out`, or records its error.
  template <class T>
  bool take(Result<T> r, T& out) {
    if (!r) return fail(r.error());
    out = std::move(*r);
    return true;
  }

  Error error_;
};

}  // namespace poise::protocols
