#include "storage/database.h"

#include <cassert>
#include <charconv>

namespace poise::storage {

Value timestampValue(TimePoint t) {
  return formatIso8601(t);
}

Value nullableValue(const std::optional<std::string>& v) {
  return v ? Value{*v} : Value{nullptr};
}

Value nullableValue(const std::optional<std::int64_t>& v) {
  return v ? Value{*v} : Value{nullptr};
}

Value nullableValue(const std::optional<TimePoint>& v) {
  return v ? timestampValue(*v) : Value{nullptr};
}

Status checkPage(int page, int page_size) {
  if (page < 1) return makeError(ErrorCode::InvalidArgument, "page must be at least 1");
  if (page_size < 1 || page_size > kMaxPageSize) {
    return makeError(ErrorCode::InvalidArgument,
                     "page_size must be between 1 and " + std::to_string(kMaxPageSize));
  }
  return {};
}

const Value& Row::operator[](std::size_t i) const {
  assert(i < values_.size());
  return values_[i];
}

bool Row::isNull(std::size_t i) const {
  return std::holds_alternative<std::nullptr_t>((*this)[i]);
}

std::int64_t Row::int64(std::size_t i) const {
  return optionalInt64(i).value_or(0);
}

std::optional<std::int64_t> Row::optionalInt64(std::size_t i) const {
  const Value& v = (*this)[i];
  if (const auto* n = std::get_if<std::int64_t>(&v)) return *n;
  if (const auto* d = std::get_if<double>(&v)) return static_cast<std::int64_t>(*d);
  if (const auto* s = std::get_if<std::string>(&v)) {
    std::int64_t out = 0;
    auto r = std::from_chars(s->data(), s->data() + s->size(), out);
    if (r.ec == std::errc{}) return out;
    return 0;
  }
  if (std::holds_alternative<std::nullptr_t>(v)) return std::nullopt;
  return 0;
}

double Row::real(std::size_t i) const {
  const Value& v = (*this)[i];
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* n = std::get_if<std::int64_t>(&v)) return static_cast<double>(*n);
  if (const auto* s = std::get_if<std::string>(&v)) {
    double out = 0;
    auto r = std::from_chars(s->data(), s->data() + s->size(), out);
    return r.ec == std::errc{} ? out : 0.0;
  }
  return 0.0;
}

std::string Row::text(std::size_t i) const {
  return optionalText(i).value_or(std::string{});
}

std::optional<std::string> Row::optionalText(std::size_t i) const {
  const Value& v = (*this)[i];
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* n = std::get_if<std::int64_t>(&v)) return std::to_string(*n);
  if (const auto* d = std::get_if<double>(&v)) return std::to_string(*d);
  if (const auto* b = std::get_if<Blob>(&v)) return std::string(b->bytes.begin(), b->bytes.end());
  return std::nullopt;
}

std::vector<std::uint8_t> Row::blob(std::size_t i) const {
  const Value& v = (*this)[i];
  if (const auto* b = std::get_if<Blob>(&v)) return b->bytes;
  if (const auto* s = std::get_if<std::string>(&v)) return {s->begin(), s->end()};
  return {};
}

std::optional<TimePoint> Row::optionalTime(std::size_t i) const {
  const auto* s = std::get_if<std::string>(&(*this)[i]);
  TimePoint t;
  if (s == nullptr || !parseIso8601(*s, t)) return std::nullopt;
  return t;
}

Result<Rows> Database::query(std::string_view sql, Params params) {
  Result<Rows> out = Rows{};
  Status st = withConnection([&](Connection& c) -> Status {
    out = c.query(sql, params);
    return {};
  });
  if (!st) return st.error();
  return out;
}

Result<Rows> Database::query(std::string_view sql, std::initializer_list<Value> params) {
  return query(sql, Params(params.begin(), params.size()));
}

Result<std::int64_t> Database::execute(std::string_view sql, Params params) {
  Result<std::int64_t> out = std::int64_t{0};
  Status st = withConnection([&](Connection& c) -> Status {
    out = c.execute(sql, params);
    return {};
  });
  if (!st) return st.error();
  return out;
}

Result<std::int64_t> Database::execute(std::string_view sql, std::initializer_list<Value> params) {
  return execute(sql, Params(params.begin(), params.size()));
}

Result<std::int64_t> Database::insert(std::string_view sql, Params params) {
  Result<std::int64_t> out = std::int64_t{0};
  Status st = withConnection([&](Connection& c) -> Status {
    out = c.insert(sql, params);
    return {};
  });
  if (!st) return st.error();
  return out;
}

Result<std::int64_t> Database::insert(std::string_view sql, std::initializer_list<Value> params) {
  return insert(sql, Params(params.begin(), params.size()));
}

std::string scrubPassword(std::string message, std::string_view password) {
  if (!password.empty()) {
    for (std::size_t at = message.find(password); at != std::string::npos;
         at = message.find(password, at)) {
      message.replace(at, password.size(), "***");
    }
  }
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
    message.pop_back();
  }
  return message;
}

Status Database::ping() {
  auto r = query("SELECT 1");
  if (!r) return r.error();
  return {};
}

UnnestSelect postgresUnnestSelect(std::span<const Value> row_major,
                                  std::span<const std::string_view> array_types) {
  const std::size_t columns = array_types.size();
  assert(columns > 0 && row_major.size() % columns == 0);
  std::vector<std::string> arrays(columns, "{");
  for (std::size_t i = 0; i < row_major.size(); ++i) {
    std::string& out = arrays[i % columns];
    if (out.size() > 1) out.push_back(',');
    const Value& v = row_major[i];
    if (const auto* n = std::get_if<std::int64_t>(&v)) {
      out += std::to_string(*n);
    } else if (const auto* text = std::get_if<std::string>(&v)) {
      // A quoted element: only the quote and the backslash are escaped inside.
      out.push_back('"');
      for (char c : *text) {
        if (c == '"' || c == '\\') out.push_back('\\');
        out.push_back(c);
      }
      out.push_back('"');
    } else {
      assert(std::holds_alternative<std::nullptr_t>(v));
      out += "NULL";
    }
  }
  UnnestSelect out;
  out.sql = "SELECT * FROM unnest(";
  for (std::size_t c = 0; c < columns; ++c) {
    if (c > 0) out.sql += ", ";
    out.sql.append("?::").append(array_types[c]);
    arrays[c].push_back('}');
    out.params.emplace_back(std::move(arrays[c]));
  }
  out.sql += ")";
  return out;
}

}  // namespace poise::storage
