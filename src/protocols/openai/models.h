// Gemini model listings → OpenAI's model objects (wire-format.md §3, §7.5, §8.8), and the
// merge of Gemini's paged list (nextPageToken) into one. Pure functions; thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <span>
#include <string_view>

#include "core/result.h"
#include "protocols/model_name.h"

namespace poise::protocols {

// The nextPageToken of one Gemini list page; empty on the last page.
std::string_view nextPageToken(const boost::json::value& page);

// Gemini pages → one Gemini-shaped {"models":[…]} (no nextPageToken), duplicates by name
// dropped. A page that is not {"models":[…]} gives "upstream_invalid_response".
Result<boost::json::object> mergeModelPages(std::span<const boost::json::value> pages);

// {"object":"list","data":[…]}: every Gemini model that can generateContent, embed or predict,
// as {id (no "models/"), object:"model", created:0, owned_by:"google"}, then one entry per alias
// whose target is listed (or every alias when `only_listed_targets` is false).
Result<boost::json::object> toOpenAiModelList(const boost::json::value& gemini_list,
                                              const ModelAliases* aliases,
                                              bool only_listed_targets = true);

// One Gemini Model → one OpenAI model object; `id` overrides the id (e.g. the alias the client
// asked for).
Result<boost::json::object> toOpenAiModel(const boost::json::value& gemini_model,
                                          std::string_view id = {});

}  // namespace poise::protocols
