#include "protocols/gemini/schema.h"

#include <array>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <string_view>

namespace poise::protocols {

namespace json = boost::json;

namespace {

// Deeper nesting than this (including $ref expansion) is cut off: recursive schemas would
// otherwise expand forever.
constexpr int kMaxDepth = 24;
// At most this many schema nodes are produced for one parameters schema: $ref can make a small
// schema expand exponentially. Past it, sub-schemas come out empty.
constexpr int kMaxNodes = 10000;

bool oneOf(std::string_view s, std::initializer_list<std::string_view> set) {
  for (std::string_view x : set) {
    if (s == x) return true;
  }
  return false;
}

// Keywords copied unchanged when their value has the right type.
bool isKeptAsIs(std::string_view key, const json::value& value) {
  if (key == "title" || key == "description" || key == "pattern") return value.is_string();
  if (key == "propertyOrdering") return value.is_array();
  return oneOf(key, {"minItems", "maxItems", "minProperties", "maxProperties", "minLength",
                     "maxLength", "minimum", "maximum"}) &&
         value.is_number();
}

class ParametersCleaner {
 public:
  explicit ParametersCleaner(const json::value& root) : root_(root) {}

  json::object clean(const json::value& schema, int depth) {
    if (!schema.is_object() || depth > kMaxDepth || nodes_left_ <= 0) return {};
    --nodes_left_;
    const json::object& in = schema.get_object();
    if (const json::value* ref = in.if_contains("$ref"); ref != nullptr && ref->is_string()) {
      json::object out;
      if (const json::value* target = resolve(ref->get_string())) out = clean(*target, depth + 1);
      if (const json::value* d = in.if_contains("description"); d != nullptr && d->is_string()) {
        out["description"] = *d;
      }
      return out;
    }
    if (const json::value* all = in.if_contains("allOf"); all != nullptr && all->is_array()) {
      return clean(mergeAllOf(in, all->get_array()), depth + 1);
    }
    json::object out;
    bool nullable = false;
    for (const auto& [key, value] : in) {
      if (key == "type") {
        cleanType(value, out, nullable);
      } else if (key == "properties" && value.is_object()) {
        json::object props;
        for (const auto& [name, sub] : value.get_object()) props[name] = clean(sub, depth + 1);
        if (!props.empty()) out["properties"] = std::move(props);
      } else if (key == "items") {
        if (value.is_object()) {
          out["items"] = clean(value, depth + 1);
        } else if (value.is_array() && !value.get_array().empty()) {
          out["items"] = clean(value.get_array()[0], depth + 1);  // tuple form: first type
        }
      } else if ((key == "anyOf" || key == "oneOf") && value.is_array()) {
        json::array members;
        for (const json::value& m : value.get_array()) {
          if (isNullSchema(m)) {
            nullable = true;
          } else {
            members.push_back(clean(m, depth + 1));
          }
        }
        if (members.size() == 1) {
          for (auto& [k, v] : members[0].get_object()) out[k] = std::move(v);
        } else if (!members.empty()) {
          out["anyOf"] = std::move(members);
        }
      } else if (key == "enum" && value.is_array()) {
        json::array values;
        bool strings = true;
        for (const json::value& e : value.get_array()) {
          if (e.is_null()) {
            nullable = true;
          } else if (e.is_string()) {
            values.push_back(e);
          } else {
            strings = false;
          }
        }
        if (strings && !values.empty()) out["enum"] = std::move(values);
      } else if (key == "const" && value.is_string()) {
        out["enum"] = json::array{value};
      } else if (key == "required" && value.is_array()) {
        json::array names;
        for (const json::value& n : value.get_array()) {
          if (n.is_string()) names.push_back(n);
        }
        out["required"] = std::move(names);
      } else if (key == "nullable" && value.is_bool()) {
        nullable = nullable || value.get_bool();
      } else if (key == "format" && value.is_string()) {
        if (oneOf(value.get_string(), {"enum", "date-time", "int32", "int64", "float", "double"})) {
          out["format"] = value;
        }
      } else if (isKeptAsIs(key, value)) {
        out[key] = value;
      }
      // Everything else (additionalProperties, $schema, strict, $defs, exclusiveMinimum,
      // multipleOf, default, examples, not, if/then/else, …) is dropped.
    }
    if (nullable) out["nullable"] = true;
    filterRequired(out);
    return out;
  }

 private:
  static bool isNullSchema(const json::value& m) {
    if (!m.is_object()) return false;
    const json::value* t = m.get_object().if_contains("type");
    return t != nullptr && t->is_string() && t->get_string() == "null";
  }

  static void cleanType(const json::value& type, json::object& out, bool& nullable) {
    if (type.is_string()) {
      if (type.get_string() == "null") {
        nullable = true;
      } else {
        out["type"] = type;
      }
      return;
    }
    if (!type.is_array()) return;
    json::array types;
    for (const json::value& t : type.get_array()) {
      if (!t.is_string()) continue;
      if (t.get_string() == "null") {
        nullable = true;
      } else {
        types.push_back(t);
      }
    }
    if (types.size() == 1) {
      out["type"] = types[0];
    } else if (types.size() > 1) {
      json::array any;
      for (const json::value& t : types) any.push_back(json::object{{"type", t}});
      out["anyOf"] = std::move(any);
    }
  }

  // "required" may only name declared properties.
  static void filterRequired(json::object& out) {
    json::value* req = out.if_contains("required");
    if (req == nullptr) return;
    const json::value* props = out.if_contains("properties");
    json::array kept;
    for (const json::value& n : req->get_array()) {
      if (props != nullptr && props->get_object().contains(n.get_string())) kept.push_back(n);
    }
    if (kept.empty()) {
      out.erase("required");
    } else {
      *req = std::move(kept);
    }
  }

  const json::value* resolve(std::string_view ref) const {
    for (std::string_view prefix : {"#/$defs/", "#/definitions/"}) {
      if (!ref.starts_with(prefix) || !root_.is_object()) continue;
      const json::value* defs = root_.get_object().if_contains(prefix.substr(2, prefix.size() - 3));
      if (defs == nullptr || !defs->is_object()) return nullptr;
      return defs->get_object().if_contains(ref.substr(prefix.size()));
    }
    return nullptr;
  }

  // allOf members are merged into one schema: their properties and required lists are
  // combined, other keywords taken from the first member that has them.
  static json::value mergeAllOf(const json::object& in, const json::array& members) {
    json::object merged;
    for (const auto& [k, v] : in) {
      if (k != "allOf") merged[k] = v;
    }
    for (const json::value& m : members) {
      if (!m.is_object()) continue;
      for (const auto& [k, v] : m.get_object()) {
        if (k == "properties" && v.is_object()) {
          json::value& props = merged["properties"];
          if (!props.is_object()) props = json::object{};
          for (const auto& [name, sub] : v.get_object()) props.get_object()[name] = sub;
        } else if (k == "required" && v.is_array()) {
          json::value& req = merged["required"];
          if (!req.is_array()) req = json::array{};
          for (const json::value& n : v.get_array()) req.get_array().push_back(n);
        } else if (k != "allOf" && !merged.contains(k)) {
          merged[k] = v;
        }
      }
    }
    return merged;
  }

  const json::value& root_;
  int nodes_left_ = kMaxNodes;
};

json::value cleanResponseSchema(const json::value& schema, int depth) {
  if (schema.is_bool()) return schema;
  if (!schema.is_object() || depth > kMaxDepth) return json::object{};
  json::object out;
  for (const auto& [key, value] : schema.get_object()) {
    if ((key == "properties" || key == "$defs") && value.is_object()) {
      json::object sub;
      for (const auto& [name, s] : value.get_object())
        sub[name] = cleanResponseSchema(s, depth + 1);
      out[key] = std::move(sub);
    } else if ((key == "items" || key == "additionalProperties") && value.is_object()) {
      out[key] = cleanResponseSchema(value, depth + 1);
    } else if ((key == "prefixItems" || key == "anyOf" || key == "oneOf") && value.is_array()) {
      json::array sub;
      for (const json::value& s : value.get_array())
        sub.push_back(cleanResponseSchema(s, depth + 1));
      out[key] = std::move(sub);
    } else if (key == "const") {
      out["enum"] = json::array{value};
    } else if (oneOf(key, {"$id", "$ref", "$anchor", "type", "format", "title", "description",
                           "enum", "minItems", "maxItems", "minimum", "maximum", "required"})) {
      out[key] = value;
    }
  }
  return out;
}

}  // namespace

std::optional<json::value> toGeminiParameters(const json::value& schema) {
  ParametersCleaner cleaner(schema);
  json::object cleaned = cleaner.clean(schema, 0);
  if (!cleaned.contains("properties") && !cleaned.contains("anyOf")) return std::nullopt;
  return json::value(std::move(cleaned));
}

json::value toGeminiResponseSchema(const json::value& schema) {
  return cleanResponseSchema(schema, 0);
}

}  // namespace poise::protocols
