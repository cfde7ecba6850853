// Masking of upstream keys and gateway tokens for display and logs. Pure functions, thread-safe.
// maskSecret() is the display form stored beside each key; scrubSecrets() is the last line of
// defence applied to every log line and error message that could echo untrusted text.
#pragma once

#include <string>
#include <string_view>

namespace poise {

// "AIzaSyA1...wxyz" style: first 6 and last 4 characters of long secrets, "****" for short ones.
std::string maskSecret(std::string_view secret);

// Replaces anything that looks like a Google API key (AIza + 35 chars) or a client token (gp_ +
// 43 chars), the value of a `key=`
// query parameter, and Bearer / x-goog-api-key / x-api-key header values with masked forms.
std::string scrubSecrets(std::string_view text);

}  // namespace poise
