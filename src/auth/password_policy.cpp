#include "auth/password_policy.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <vector>

namespace poise::auth {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::size_t codePoints(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// "aaaa…", "abcabc…", "12121…": a unit of at most four characters, repeated.
bool repeatsShortUnit(std::string_view s) {
  for (std::size_t unit = 1; unit <= 4 && unit < s.size(); ++unit) {
    bool repeats = true;
    for (std::size_t i = unit; i < s.size() && repeats; ++i) repeats = s[i] == s[i - unit];
    if (repeats) return true;
  }
  return false;
}

// Rows walked one step at a time, forwards or backwards, wrapping at the end.
constexpr std::array<std::string_view, 6> kRuns = {"0123456789",   "abcdefghijklmnopqrstuvwxyz",
                                                   "qwertyuiop[]", "asdfghjkl;'",
                                                   "zxcvbnm,./",   "`1234567890-="};

bool walksRun(std::string_view s) {
  for (std::string_view run : kRuns) {
    const auto start = run.find(s.front());
    if (start == std::string_view::npos) continue;
    for (const std::size_t step : {std::size_t{1}, run.size() - 1}) {
      std::size_t pos = start;
      bool walks = true;
      for (std::size_t i = 1; i < s.size() && walks; ++i) {
        pos = (pos + step) % run.size();
        walks = s[i] == run[pos];
      }
      if (walks) return true;
    }
  }
  return false;
}

// Whole passwords from the top of the breach lists that meet the length rule.
constexpr std::array<std::string_view, 16> kCommon = {
    "1q2w3e4r5t6y", "1qaz2wsx3edc", "qazwsxedcrfv", "zaq12wsxcde3", "1234qwerasdf", "qwer1234asdf",
    "q1w2e3r4t5y6", "a1b2c3d4e5f6", "123456789abc", "abc123456789", "123456abcdef", "qwerty123456",
    "123456qwerty", "asdfghjkl123", "987654321abc", "1234abcd1234"};

// Words that, alone or run together, with digits and symbols around them, make the commonest
// passwords ("Password2024!", "adminadmin123", "letmein!!!!!").
constexpr std::array<std::string_view, 36> kWords = {
    "password", "passw0rd",      "p@ssw0rd", "p@ssword", "pass",    "word",
    "admin",    "administrator", "root",     "qwerty",   "letmein", "welcome",
    "changeme", "iloveyou",      "love",     "monkey",   "dragon",  "football",
    "baseball", "master",        "secret",   "login",    "gemini",  "poise",
    "default",  "trustno",       "sunshine", "princess", "shadow",  "superman",
    "starwars", "whatever",      "test",     "guest",    "user",    "hello"};

// The letters between the leading and trailing digits and symbols.
std::string_view core(std::string_view s) {
  auto letter = [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; };
  const auto b = std::find_if(s.begin(), s.end(), letter);
  const auto e = std::find_if(s.rbegin(), s.rend(), letter).base();
  if (b >= e) return {};
  return s.substr(static_cast<std::size_t>(b - s.begin()), static_cast<std::size_t>(e - b));
}

// True when `s` is made only of the given words, run together.
bool madeOfWords(std::string_view s, const std::vector<std::string_view>& words) {
  if (s.empty()) return false;
  std::vector<bool> reach(s.size() + 1, false);
  reach[0] = true;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (!reach[i]) continue;
    for (std::string_view w : words) {
      if (!w.empty() && s.substr(i, w.size()) == w) reach[i + w.size()] = true;
    }
  }
  return reach[s.size()];
}

}  // namespace

Status checkNewPassword(std::string_view password, std::string_view username) {
  auto weak = [](std::string_view why) {
    return Status(makeError(ErrorCode::WeakPassword, "the new password " + std::string(why)));
  };
  if (codePoints(password) < kMinPasswordLength) {
    return weak("must have at least " + std::to_string(kMinPasswordLength) + " characters");
  }
  if (password.size() > kMaxPasswordLength) {
    return weak("must have at most " + std::to_string(kMaxPasswordLength) + " bytes");
  }
  const std::string p = lower(password);
  const std::string user = lower(username);
  if (!user.empty() && p == user) return weak("must not be the username");
  if (repeatsShortUnit(p)) return weak("is too simple: one character or a short pattern repeated");
  if (walksRun(p)) return weak("is too simple: a run of consecutive characters");
  std::vector<std::string_view> words(kWords.begin(), kWords.end());
  if (const std::string_view u = core(user); u.size() >= 3) words.push_back(u);
  if (std::find(kCommon.begin(), kCommon.end(), p) != kCommon.end() ||
      madeOfWords(core(p), words)) {
    return weak("is too common: choose one that is hard to guess");
  }
  return {};
}

}  // namespace poise::auth
