#include "protocols/gemini/schema.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "protocols/golden.h"

namespace poise::protocols {
namespace {

using golden::J;

TEST(ProtocolSchema, ParametersGolden) {
  struct Golden {
    const char* name;
    const char* in;
    const char* out;  // "null": no parameters at all
  };
  const Golden cases[] = {
      {"keys Gemini rejects are stripped",
       R"({"$schema":"x","type":"object","additionalProperties":false,"strict":true,"title":"T",
           "properties":{"a":{"type":"number","exclusiveMaximum":3,"multipleOf":2,"minimum":0,
                              "examples":[1],"default":1,"format":"double"}},"required":["a"]})",
       R"({"type":"object","title":"T","properties":{"a":{"type":"number","minimum":0,"format":"double"}},
           "required":["a"]})"},
      {"$ref inlined from $defs and definitions, description kept",
       R"({"type":"object","$defs":{"P":{"type":"object","properties":{"x":{"type":"string"}}}},
           "definitions":{"Q":{"type":"integer"}},
           "properties":{"p":{"$ref":"#/$defs/P","description":"a point"},"q":{"$ref":"#/definitions/Q"},
                         "z":{"$ref":"#/$defs/Missing"}}})",
       R"({"type":"object","properties":{
           "p":{"type":"object","properties":{"x":{"type":"string"}},"description":"a point"},
           "q":{"type":"integer"},"z":{}}})"},
      {"anyOf with null → nullable; oneOf → anyOf; single member inlined",
       R"({"type":"object","properties":{
           "a":{"anyOf":[{"type":"string"},{"type":"null"}]},
           "b":{"oneOf":[{"type":"string"},{"type":"integer"}]},
           "c":{"type":["integer","string"]},
           "d":{"type":"null"}}})",
       R"({"type":"object","properties":{
           "a":{"type":"string","nullable":true},
           "b":{"anyOf":[{"type":"string"},{"type":"integer"}]},
           "c":{"anyOf":[{"type":"integer"},{"type":"string"}]},
           "d":{"nullable":true}}})"},
      {"allOf merged; const → enum; non-string enum dropped; tuple items",
       R"({"allOf":[{"type":"object","properties":{"a":{"const":"x"}},"required":["a"]},
                    {"properties":{"b":{"type":"integer","enum":[1,2]}},"required":["b"]}],
           "properties":{"c":{"type":"array","items":[{"type":"string"},{"type":"integer"}]}}})",
       R"({"type":"object","properties":{"c":{"type":"array","items":{"type":"string"}},
           "a":{"enum":["x"]},"b":{"type":"integer"}},"required":["a","b"]})"},
      {"empty nested properties removed; format kept only when Gemini knows it",
       R"({"type":"object","properties":{"o":{"type":"object","properties":{}},
           "u":{"type":"string","format":"uri"},"t":{"type":"string","format":"date-time"},
           "e":{"type":"string","enum":["a",null]}}})",
       R"({"type":"object","properties":{"o":{"type":"object"},"u":{"type":"string"},
           "t":{"type":"string","format":"date-time"},"e":{"type":"string","enum":["a"],"nullable":true}}})"},
      {"no properties: no parameters", R"({"type":"object","properties":{}})", "null"},
      {"not an object", R"("string")", "null"},
  };
  for (const Golden& g : cases) {
    auto out = toGeminiParameters(J(g.in));
    const json::value got = out ? *out : json::value(nullptr);
    EXPECT_EQ(got, J(g.out)) << g.name << "\n got: " << json::serialize(got);
  }
}

TEST(ProtocolSchema, RecursiveReferencesAreCutOff) {
  // A self-referencing tree would expand forever; two references per level would expand
  // exponentially. Both terminate with a bounded result.
  const json::value tree = J(R"({"type":"object","$defs":{"N":{"type":"object","properties":{
      "l":{"$ref":"#/$defs/N"},"r":{"$ref":"#/$defs/N"}}}},"properties":{"root":{"$ref":"#/$defs/N"}}})");
  auto out = toGeminiParameters(tree);
  ASSERT_TRUE(out);
  EXPECT_LT(json::serialize(*out).size(), 2'000'000u);
}

TEST(ProtocolSchema, ResponseSchemaGolden) {
  const json::value in = J(R"({"$schema":"s","$id":"i","type":"object","strict":true,
      "additionalProperties":false,
      "$defs":{"D":{"type":"string","pattern":"^a","minLength":2}},
      "properties":{"a":{"$ref":"#/$defs/D"},"b":{"type":["string","null"],"const":"k"},
                    "c":{"type":"array","prefixItems":[{"type":"integer","exclusiveMinimum":1}],
                         "items":{"type":"number"},"minItems":1,"uniqueItems":true},
                    "d":{"type":"object","additionalProperties":{"type":"integer","default":0}},
                    "e":{"anyOf":[{"type":"string","format":"email"},{"type":"null"}]}},
      "required":["a"]})");
  EXPECT_EQ(toGeminiResponseSchema(in), J(R"({"$id":"i","type":"object",
      "$defs":{"D":{"type":"string"}},
      "properties":{"a":{"$ref":"#/$defs/D"},"b":{"type":["string","null"],"enum":["k"]},
                    "c":{"type":"array","prefixItems":[{"type":"integer"}],"items":{"type":"number"},
                         "minItems":1},
                    "d":{"type":"object","additionalProperties":{"type":"integer"}},
                    "e":{"anyOf":[{"type":"string","format":"email"},{"type":"null"}]}},
      "required":["a"]})"))
      << json::serialize(toGeminiResponseSchema(in));
}

}  // namespace
}  // namespace poise::protocols
