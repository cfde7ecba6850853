#include "storage/database_url.h"

#include <algorithm>
#include <boost/url/encode.hpp>
#include <boost/url/pct_string_view.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <cctype>
#include <charconv>

#include "storage/mysql/mysql_database.h"
#include "storage/postgres/postgres_database.h"
#include "storage/sqlite/sqlite_database.h"

namespace poise::storage {
namespace {

Error invalid(std::string message) {
  return makeError(ErrorCode::InvalidDatabaseUrl, "DATABASE_URL: " + std::move(message));
}

// Every '%' must start an escape of two hex digits; '+' stays '+' (this is not a form).
Result<std::string> percentDecode(std::string_view s, std::string_view what) {
  const auto encoded = boost::urls::make_pct_string_view(s);
  if (!encoded) return invalid("bad percent-encoding in the " + std::string(what));
  // Spelled out: Error is also constructible from a std::string.
  return Result<std::string>(boost::system::in_place_value, encoded->decode());
}

// Escapes everything but RFC 3986 unreserved characters, as uppercase %XX.
std::string percentEncode(std::string_view s) {
  return boost::urls::encode(s, boost::urls::unreserved_chars);
}

Status parseQuery(std::string_view query, std::map<std::string, std::string>& out) {
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    auto key = percentDecode(pair.substr(0, eq), "query string");
    if (!key) return key.error();
    auto value =
        percentDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), "query string");
    if (!value) return value.error();
    out[*key] = *value;
  }
  return {};
}

bool isSecretParam(std::string_view name) {
  std::string lower;
  for (char c : name)
    lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return lower.find("pass") != std::string::npos || lower.find("secret") != std::string::npos ||
         lower.find("token") != std::string::npos;
}

Status parseNetworkUrl(std::string_view rest, DatabaseUrl& url) {
  // Split off the query string first; the authority and database never contain '?'.
  const std::size_t qmark = rest.find('?');
  if (qmark != std::string_view::npos) {
    if (auto st = parseQuery(rest.substr(qmark + 1), url.params); !st) return st;
    rest = rest.substr(0, qmark);
  }
  // As SQLAlchemy: user is [^:/]*, password [^@]* (so it may hold '/' or ':'), then '@'.
  const std::size_t at = rest.find('@');
  if (at != std::string_view::npos) {
    const std::string_view userinfo = rest.substr(0, at);
    const std::size_t colon = userinfo.find(':');
    const std::string_view user = userinfo.substr(0, colon);
    if (user.find('/') == std::string_view::npos) {
      auto u = percentDecode(user, "user name");
      if (!u) return u.error();
      url.user = std::move(*u);
      if (colon != std::string_view::npos) {
        auto p = percentDecode(userinfo.substr(colon + 1), "password");
        if (!p) return p.error();
        url.password = std::move(*p);
      }
      rest = rest.substr(at + 1);
    }
  }
  std::string_view hostport = rest.substr(0, rest.find('/'));
  if (rest.size() > hostport.size()) {
    auto db = percentDecode(rest.substr(hostport.size() + 1), "database name");
    if (!db) return db.error();
    url.database = std::move(*db);
  }
  std::string_view port;
  if (!hostport.empty() && hostport.front() == '[') {
    const std::size_t close = hostport.find(']');
    if (close == std::string_view::npos) return invalid("unterminated IPv6 address");
    url.host = std::string(hostport.substr(1, close - 1));
    const std::string_view after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return invalid("unexpected text after the IPv6 address");
      port = after.substr(1);
    }
  } else {
    const std::size_t colon = hostport.find(':');
    url.host = std::string(hostport.substr(0, colon));
    if (colon != std::string_view::npos) port = hostport.substr(colon + 1);
  }
  if (!port.empty()) {
    unsigned value = 0;
    auto r = std::from_chars(port.data(), port.data() + port.size(), value);
    if (r.ec != std::errc{} || r.ptr != port.data() + port.size() || value == 0 || value > 65535) {
      return invalid("port must be a number from 1 to 65535");
    }
    url.port = static_cast<std::uint16_t>(value);
  }
  return {};
}

}  // namespace

Result<DatabaseUrl> parseDatabaseUrl(std::string_view text) {
  const std::size_t sep = text.find("://");
  if (sep == std::string_view::npos) return invalid("expected <scheme>://…");
  std::string scheme;
  for (char c : text.substr(0, sep)) {
    scheme.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  DatabaseUrl url;
  if (const std::size_t plus = scheme.find('+'); plus != std::string::npos) {
    url.driver = scheme.substr(plus + 1);
    scheme.resize(plus);
  }
  std::string_view rest = text.substr(sep + 3);
  if (scheme == "sqlite") {
    url.dialect = Dialect::Sqlite;
    // sqlite:// and sqlite:///:memory: are in-memory; sqlite:///x is "x"; sqlite:////x is "/x".
    if (!rest.empty() && rest.front() != '/') {
      return invalid("sqlite URLs have no host: use sqlite:///relative.db or sqlite:////abs.db");
    }
    if (!rest.empty()) rest.remove_prefix(1);
    if (const std::size_t q = rest.find('?'); q != std::string_view::npos) {
      if (auto st = parseQuery(rest.substr(q + 1), url.params); !st) return st.error();
      rest = rest.substr(0, q);
    }
    url.path = rest.empty() ? ":memory:" : std::string(rest);
    return url;
  }
  if (scheme == "postgresql" || scheme == "postgres") {
    url.dialect = Dialect::Postgres;
  } else if (scheme == "mysql" || scheme == "mariadb") {
    url.dialect = Dialect::Mysql;
  } else {
    // Echo the scheme only when it cannot be a mistyped credential.
    const bool plain = std::all_of(scheme.begin(), scheme.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) != 0;
    });
    return invalid("unsupported scheme" + (plain ? " '" + scheme + "'" : std::string{}) +
                   " (expected sqlite, postgresql, mysql or mariadb)");
  }
  if (auto st = parseNetworkUrl(rest, url); !st) return st.error();
  if (url.host.empty()) return invalid("a host is required");
  if (url.database.empty()) return invalid("a database name is required");
  return url;
}

std::string DatabaseUrl::redacted() const {
  std::string out(dialectName(dialect));
  if (!driver.empty()) out.append("+").append(driver);
  out.append("://");
  if (dialect == Dialect::Sqlite) {
    if (!isMemory()) out.append("/").append(path);
  } else {
    if (!user.empty() || !password.empty()) {
      out.append(percentEncode(user));
      if (!password.empty()) out.append(":***");
      out.append("@");
    }
    out.append(host.find(':') != std::string::npos ? "[" + host + "]" : host);
    if (port != 0) out.append(":").append(std::to_string(port));
    out.append("/").append(percentEncode(database));
  }
  char sep = '?';
  for (const auto& [k, v] : params) {
    out.push_back(sep);
    sep = '&';
    out.append(percentEncode(k)).append("=").append(isSecretParam(k) ? "***" : percentEncode(v));
  }
  return out;
}

Result<std::unique_ptr<Database>> openDatabase(const DatabaseUrl& url,
                                               const DatabaseOptions& options) {
  // Each implementation's open() returns its own type; callers see the interface.
  auto as_database = [](auto opened) -> Result<std::unique_ptr<Database>> {
    if (!opened) return opened.error();
    return std::unique_ptr<Database>(std::move(*opened));
  };
  switch (url.dialect) {
    case Dialect::Sqlite:
      return as_database(SqliteDatabase::open(url.path, options));
    case Dialect::Postgres:
      return as_database(PostgresDatabase::open(url, options));
    case Dialect::Mysql:
      return as_database(MysqlDatabase::open(url, options));
  }
  return makeError(ErrorCode::UnsupportedDatabase, "unknown database dialect");
}

Result<std::unique_ptr<Database>> openDatabase(std::string_view url,
                                               const DatabaseOptions& options) {
  auto parsed = parseDatabaseUrl(url);
  if (!parsed) return parsed.error();
  return openDatabase(*parsed, options);
}

}  // namespace poise::storage
