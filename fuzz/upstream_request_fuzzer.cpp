// Fuzz target for the upstream request head writer (net/request_head). The input is split on
// NUL-free separators into a model, a native path and a header (name, value). Property: for any
// client string, the bytes the writer produces hold exactly one request line and exactly the
// headers that were accepted, each as given; a refused piece leaves nothing behind.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/model_id.h"
#include "fuzz_checks.h"
#include "net/request_head.h"

namespace {

using poise::fuzz::check;
using poise::net::RequestHead;

struct Header {
  std::string_view name;
  std::string_view value;
};

// Splits `head` at CRLF and checks it is: one request line "METHOD target HTTP/1.1", then exactly
// `headers` in order, then the blank line, with no other CR or LF anywhere.
void checkHead(std::string_view head, std::string_view method, std::string_view target,
               const std::vector<Header>& headers) {
  check(head.ends_with("\r\n\r\n"), "head does not end with a blank line");
  std::vector<std::string_view> lines;
  std::size_t i = 0;
  while (i < head.size()) {
    const auto eol = head.find("\r\n", i);
    check(eol != std::string_view::npos, "line without CRLF");
    lines.push_back(head.substr(i, eol - i));
    i = eol + 2;
  }
  for (const auto line : lines) {
    check(line.find_first_of("\r\n") == std::string_view::npos, "bare CR or LF in a line");
    check(line.find('\0') == std::string_view::npos, "NUL in a line");
  }
  check(lines.size() == headers.size() + 2, "not exactly the intended number of lines");
  check(lines.back().empty(), "head does not end with one blank line");
  const std::string request_line = std::string(method) + " " + std::string(target) + " HTTP/1.1";
  check(lines.front() == request_line, "request line differs from the one intended");
  check(std::count(request_line.begin(), request_line.end(), ' ') == 2,
        "request line has more than three parts");
  for (std::size_t h = 0; h < headers.size(); ++h) {
    const std::string expected =
        std::string(headers[h].name) + ": " + std::string(headers[h].value);
    check(lines[h + 1] == expected, "header line differs from the one intended");
    check(!lines[h + 1].empty(), "empty header line inside the head");
  }
}

// One attempt: start the head, add `candidates` (keeping the accepted ones), check the bytes.
void writeAndCheck(std::string_view method, std::string_view target,
                   const std::vector<Header>& candidates) {
  auto head = RequestHead::start(method, target);
  if (!head) return;
  std::vector<Header> accepted;
  for (const auto& h : candidates) {
    if (head->add(h.name, h.value)) accepted.push_back(h);
  }
  checkHead(head->finish(), method, target, accepted);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // Fields separated by the byte 0x1f (unit separator): model, path, header name, header value.
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  while (fields.size() < 3) {
    const auto sep = input.find('\x1f', start);
    if (sep == std::string_view::npos) break;
    fields.push_back(input.substr(start, sep - start));
    start = sep + 1;
  }
  fields.push_back(input.substr(std::min(start, input.size())));
  while (fields.size() < 4) fields.emplace_back();
  const std::string_view model = fields[0];
  const std::string_view path = fields[1];
  const std::vector<Header> headers{{"Host", "upstream.test"},
                                    {fields[2], fields[3]},
                                    {"x-goog-api-key", fields[3]},
                                    {"Content-Type", model}};

  // The translated routes: the model is one encoded path segment, whatever it holds.
  const std::string target =
      "/v1beta/models/" + poise::net::encodePathSegment(model) + ":generateContent";
  check(RequestHead::start("POST", target).has_value(), "an encoded model target was refused");
  if (poise::isGeminiModelId(model)) {
    check(poise::net::encodePathSegment(model) == model, "a model id changed when encoded");
  }
  writeAndCheck("POST", target, headers);

  // The native routes: the client's path as the target, refused or written exactly.
  writeAndCheck("GET", path, headers);
  writeAndCheck("POST", std::string("/v1beta") + std::string(path), headers);
  return 0;
}
