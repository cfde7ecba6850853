#include "proxy/header_filter.h"

#include <boost/beast/core/string.hpp>

namespace poise::proxy {

namespace beast = boost::beast;
namespace bhttp = beast::http;

bool isHopByHopOrFraming(bhttp::field f) {
  switch (f) {
    case bhttp::field::connection:
    case bhttp::field::keep_alive:
    case bhttp::field::proxy_authenticate:
    case bhttp::field::proxy_authorization:
    case bhttp::field::proxy_connection:
    case bhttp::field::te:
    case bhttp::field::trailer:
    case bhttp::field::transfer_encoding:
    case bhttp::field::upgrade:
    case bhttp::field::content_length:
      return true;
    default:
      return false;
  }
}

bool nominatedByConnection(std::string_view connection, std::string_view name) {
  std::size_t i = 0;
  while (i < connection.size()) {
    while (i < connection.size() && (connection[i] == ' ' || connection[i] == ',')) ++i;
    const std::size_t start = i;
    while (i < connection.size() && connection[i] != ',' && connection[i] != ' ') ++i;
    if (i > start && beast::iequals(connection.substr(start, i - start), name)) return true;
  }
  return false;
}

bool dropResponseHeader(const bhttp::fields& upstream, const bhttp::fields::value_type& header) {
  const bhttp::field f = header.name();
  return isHopByHopOrFraming(f) || f == bhttp::field::alt_svc ||
         beast::iequals(header.name_string(), "x-request-id") ||
         nominatedByConnection(upstream[bhttp::field::connection], header.name_string());
}

std::string responseFieldLines(const bhttp::fields& upstream) {
  std::string lines;
  lines.reserve(512);
  for (const auto& h : upstream) {
    if (dropResponseHeader(upstream, h)) continue;
    lines.append(h.name_string()).append(": ").append(h.value()).append("\r\n");
  }
  return lines;
}

}  // namespace poise::proxy
