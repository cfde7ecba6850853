// GenerateRequestBuilder: assembles a Gemini generateContent body from a translated chat
// history. Consecutive turns of the same role merge into one Content (tool results that follow
// each other become one user turn, as Gemini pairs them with the preceding calls). Not
// thread-safe; one per translation.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <string_view>

namespace poise::protocols {

class GenerateRequestBuilder {
 public:
  // Appends `parts` as a turn of `role` ("user" or "model"); nothing happens when `parts` is
  // empty (Gemini rejects a Content without parts).
  void appendTurn(std::string_view role, boost::json::array parts);
  void addSystemText(std::string_view text);
  void addFunctionDeclaration(boost::json::object declaration);

  boost::json::array& functionDeclarations() { return declarations_; }
  boost::json::object& functionCallingConfig() { return calling_config_; }
  boost::json::object& generationConfig() { return generation_; }

  // Adds contents, systemInstruction, tools, toolConfig and generationConfig (the empty ones
  // left out) to `request`. Gemini needs at least one content, so an empty history gives one
  // user turn with a single-space text part (what PublicAffairs sends for a lone system prompt).
  void buildInto(boost::json::object& request);

 private:
  boost::json::array contents_;
  boost::json::array system_parts_;
  boost::json::array declarations_;
  boost::json::object calling_config_;
  boost::json::object generation_;
};

}  // namespace poise::protocols
