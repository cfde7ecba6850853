#include "openapi/openapi_document.h"

#include <boost/json.hpp>
#include <map>
#include <set>

namespace poise::openapi {

namespace json = boost::json;

namespace {

Result<json::value> parseJson(std::string_view text, const std::string& what) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return makeError(ErrorCode::InternalError, what + " is not valid JSON: " + ec.message());
  return v;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "get" "/api/v1/api_keys/{id}" → "getApiV1ApiKeysId": camelCase, since Swagger UI's deep links
// read '_' as an escaped space (and warn about it), and code generators take the name as is.
std::string operationId(std::string_view method, std::string_view path) {
  std::string out = lower(method);
  bool gap = true;
  for (const char c : path) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      out += gap ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
      gap = false;
    } else {
      gap = true;
    }
  }
  return out;
}

// The `{name}` parameters of a documented path, in order.
std::vector<std::string> pathParams(std::string_view path) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while ((i = path.find('{', i)) != std::string_view::npos) {
    const auto end = path.find('}', i);
    if (end == std::string_view::npos) break;
    out.emplace_back(path.substr(i + 1, end - i - 1));
    i = end + 1;
  }
  return out;
}

bool isRead(std::string_view method) {
  return method == "get" || method == "head";
}

json::array securityFor(http::Access access, std::string_view method) {
  auto req = [](std::initializer_list<std::string_view> names) {
    json::object o;
    for (auto n : names) o[n] = json::array();
    return o;
  };
  switch (access) {
    case http::Access::Anyone:
      return {};
    case http::Access::GatewayToken:
      return {req({"gatewayBearer"}), req({"gatewayGoogApiKey"}), req({"gatewayKeyQuery"}),
              req({"gatewayAnthropicKey"})};
    case http::Access::Viewer:
    case http::Access::Admin:
      if (isRead(method)) return {req({"sessionBearer"}), req({"sessionCookie"})};
      return {req({"sessionBearer"}), req({"sessionCookie", "csrfHeader"})};
  }
  return {};
}

json::value ref(std::string_view name) {
  return json::object{{"$ref", "#/components/responses/" + std::string(name)}};
}

// Adds what the table knows to one documented operation.
void complete(json::object& op, const http::RouteInfo& route, std::string_view method,
              std::string_view path) {
  if (!op.contains("summary") && !route.summary.empty()) op["summary"] = route.summary;
  if (!op.contains("operationId")) op["operationId"] = operationId(method, path);
  op["x-poise-access"] = http::toString(route.access);
  // An `anyone` entry whose handler checks a credential of its own (/metrics) declares it.
  if (!op.contains("security")) op["security"] = securityFor(route.access, method);

  json::array& params =
      op["parameters"].is_array() ? op["parameters"].as_array() : op["parameters"].emplace_array();
  for (const std::string& name : pathParams(path)) {
    bool declared = false;
    for (const auto& p : params) {
      const auto* o = p.if_object();
      const json::value* in = o ? o->if_contains("in") : nullptr;
      const json::value* n = o ? o->if_contains("name") : nullptr;
      if (in && n && in->is_string() && in->as_string() == "path" && n->is_string() &&
          n->as_string() == name) {
        declared = true;
      }
    }
    if (!declared) {
      params.push_back(json::object{{"name", name},
                                    {"in", "path"},
                                    {"required", true},
                                    {"schema", json::object{{"type", "string"}}}});
    }
  }
  if (params.empty()) op.erase("parameters");

  json::object& responses =
      op["responses"].is_object() ? op["responses"].as_object() : op["responses"].emplace_object();
  if (http::needsSession(route.access)) {
    if (!responses.contains("401")) responses["401"] = ref("AdminUnauthorized");
    // Any session route: a forced password change (reads too), a viewer on an admin route, a
    // cookie write without the CSRF header.
    if (!responses.contains("403")) responses["403"] = ref("AdminForbidden");
  }
  if (route.pattern.starts_with("/api/") && op.contains("requestBody") &&
      !responses.contains("422")) {
    responses["422"] = ref("AdminValidationError");
  }
  if (responses.empty()) responses["default"] = json::object{{"description", "any answer"}};
}

}  // namespace

std::string routeKey(std::string_view method, std::string_view pattern) {
  return std::string(method) + " " + std::string(pattern);
}

Result<Document> buildDocument(const std::vector<http::RouteInfo>& routes,
                               std::span<const OperationDoc> docs, std::string_view base) {
  auto base_value = parseJson(base, "the document base");
  if (!base_value) return base_value.error();
  if (!base_value->is_object()) {
    return makeError(ErrorCode::InternalError, "the document base is not a JSON object");
  }
  Document out;
  out.json = std::move(base_value->as_object());

  std::map<std::string, const OperationDoc*> by_key;
  for (const OperationDoc& d : docs) {
    const std::string key = routeKey(d.method, d.pattern);
    if (!by_key.emplace(key, &d).second) {
      return makeError(ErrorCode::InternalError, "two docs for " + key);
    }
  }

  json::object paths;
  std::set<std::string> used;
  for (const http::RouteInfo& route : routes) {
    const std::string key = routeKey(route.method, route.pattern);
    const auto it = by_key.find(key);
    const OperationDoc* doc = it == by_key.end() ? nullptr : it->second;
    std::string path;
    if (doc && !doc->path.empty()) {
      path = doc->path;
    } else {
      path = route.pattern;
      if (route.prefix) path += "{path}";
    }

    // method → operation
    json::object ops;
    if (doc) {
      used.insert(key);
      auto parsed = parseJson(doc->operation, "the doc of " + key);
      if (!parsed) return parsed.error();
      if (!parsed->is_object()) {
        return makeError(ErrorCode::InternalError, "the doc of " + key + " is not an object");
      }
      if (route.method == "*") {
        ops = std::move(parsed->as_object());
        for (auto& [m, op] : ops) {
          if (!op.is_object()) {
            return makeError(ErrorCode::InternalError,
                             "the doc of " + key + " has a non-object operation " + std::string(m));
          }
        }
      } else {
        ops[lower(route.method)] = std::move(*parsed);
      }
    } else {
      out.coverage.undocumented.push_back(key);
      json::object op{{"x-poise-undocumented", true}};
      ops[route.method == "*" ? "get" : lower(route.method)] = std::move(op);
    }

    json::object& item =
        paths[path].is_object() ? paths[path].as_object() : paths[path].emplace_object();
    for (auto& [m, op] : ops) {
      if (item.contains(m)) {
        return makeError(ErrorCode::InternalError,
                         "two operations for " + std::string(m) + " " + path);
      }
      complete(op.as_object(), route, m, path);
      item[m] = std::move(op);
    }
  }
  for (const auto& [key, doc] : by_key) {
    if (!used.contains(key)) out.coverage.unrouted.push_back(key);
  }

  json::array undocumented;
  for (const auto& k : out.coverage.undocumented) undocumented.push_back(json::string(k));
  json::array unrouted;
  for (const auto& k : out.coverage.unrouted) unrouted.push_back(json::string(k));
  out.json["x-poise-coverage"] =
      json::object{{"undocumented", std::move(undocumented)}, {"unrouted", std::move(unrouted)}};
  out.json["paths"] = std::move(paths);
  return out;
}

}  // namespace poise::openapi
