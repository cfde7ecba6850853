// GenerateRequestBuilder: assembles a Gemini generateContent body from a translated chat
// history. Consecutive turns of the same role merge into one Content (tool results that follow
// each other become one user turn, as Gemini pairs them with the preceding calls). Not
// thread-safe; one per translation.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <set>
#include <string>
#include <string_view>

#include "core/result.h"

namespace poise::protocols {

class GenerateRequestBuilder {
 public:
  // Appends `parts` as a turn of `role` ("user" or "model"); nothing happens when `parts` is
  // empty (Gemini rejects a Content without parts).
  void appendTurn(std::string_view role, boost::json::array parts);
  void addSystemText(std::string_view text);

  // Declares a function (functionDeclaration() in function_calling.h: Gemini's name rules, the
  // schema cleaned). Declaring a name twice is an invalid_request error naming `path`.
  [[nodiscard]] Status declareFunction(std::string_view name, std::string_view description,
                                       const boost::json::value* schema, std::string_view path);
  bool isDeclared(std::string_view name) const { return declared_.contains(name); }
  // Keeps only the declarations whose names are in `names`.
  void keepDeclarations(const boost::json::array& names);
  // Adds `name` to `names` when it is declared; else an invalid_request error naming `path`.
  [[nodiscard]] Status allowName(std::string_view name, std::string_view path,
                                 boost::json::array& names) const;
  // An OpenAI "allowed_tools" choice: "required" is ANY restricted to `names`; "auto" keeps only
  // those declarations and clears `names` (Gemini takes allowedFunctionNames with ANY only).
  // Returns the calling mode for setCallingMode.
  std::string_view restrictToAllowed(bool required, boost::json::array& names);

  // OpenAI's string tool_choice: "auto" → "AUTO", "none" → "NONE", "required" → "ANY"; empty
  // for anything else.
  static std::string_view callingModeFor(std::string_view tool_choice);

  // toolConfig.functionCallingConfig: "AUTO", "NONE" or "ANY" (with allowedFunctionNames when
  // `allowed` is not empty). Without declarations there is nothing to configure: AUTO and NONE
  // are dropped and ANY is an invalid_request error ("tool_choice requires tools").
  [[nodiscard]] Status setCallingMode(std::string_view mode, boost::json::array allowed = {});

  // generationConfig.stopSequences from a JSON array of strings (or a lone string when
  // `allow_string`); more than Gemini's 5 is an invalid_request error naming `field`.
  [[nodiscard]] Status setStopSequences(const boost::json::value& stop, std::string_view field,
                                        bool allow_string);

  // Structured output: responseMimeType "application/json", and responseJsonSchema made from the
  // client's JSON Schema (toGeminiResponseSchema) when `schema` is not null.
  void setJsonOutput(const boost::json::value* schema);

  boost::json::object& generationConfig() { return generation_; }

  // Adds contents, systemInstruction, tools, toolConfig and generationConfig (the empty ones
  // left out) to `request`. Gemini needs at least one content, so an empty history gives one
  // user turn with a single-space text part (what PublicAffairs sends for a lone system prompt).
  void buildInto(boost::json::object& request);

 private:
  boost::json::array contents_;
  boost::json::array system_parts_;
  boost::json::array declarations_;
  std::set<std::string, std::less<>> declared_;
  boost::json::object calling_config_;
  boost::json::object generation_;
};

}  // namespace poise::protocols
