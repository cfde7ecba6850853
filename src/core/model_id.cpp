#include "core/model_id.h"

namespace poise {

namespace {
bool isAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
}  // namespace

bool isGeminiModelId(std::string_view id) {
  if (id.empty() || id.size() > kMaxModelIdLength || !isAlnum(id.front())) return false;
  char prev = 0;
  for (const char c : id) {
    if (!isAlnum(c) && c != '.' && c != '-' && c != '_') return false;
    if (c == '.' && prev == '.') return false;
    prev = c;
  }
  return true;
}

}  // namespace poise
