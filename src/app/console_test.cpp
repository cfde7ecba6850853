#include "app/console.h"

#include <gtest/gtest.h>

namespace poise::app {
namespace {

constexpr http::StaticAsset kBundle[] = {
    {.path = "/index.html", .content_type = "text/html; charset=utf-8", .bytes = "<!doctype html>"},
    {.path = "/assets/index-B2x9aZ1q.js",
     .content_type = "text/javascript; charset=utf-8",
     .bytes = "x",
     .immutable = true},
    {.path = "/favicon.svg", .content_type = "image/svg+xml", .bytes = "<svg/>"},
};

using Answer = Console::Answer;

TEST(Console, ServesIndexAtTheRootAndItsFilesByPath) {
  const Console console(kBundle, true);
  EXPECT_EQ(console.resolve("/").answer, Answer::Page);
  EXPECT_EQ(console.resolve("/").asset, &kBundle[0]);
  EXPECT_EQ(console.resolve("/index.html").answer, Answer::Page);
  EXPECT_EQ(console.resolve("/assets/index-B2x9aZ1q.js").answer, Answer::File);
  EXPECT_EQ(console.resolve("/assets/index-B2x9aZ1q.js").asset, &kBundle[1]);
  EXPECT_EQ(console.resolve("/favicon.svg").asset, &kBundle[2]);
}

TEST(Console, PagesFallBackToIndexAndUnknownFilesDoNot) {
  Console console(kBundle, true);
  http::Router router;
  router.add(boost::beast::http::verb::get, "/status", {});
  console.reserveRoutes(router);
  EXPECT_EQ(console.resolve("/keys").answer, Answer::Page);
  EXPECT_EQ(console.resolve("/keys").asset, &kBundle[0]);
  EXPECT_EQ(console.resolve("/settings/advanced").answer, Answer::Page);
  for (const char* path : {"/assets/missing.js", "/assets/missing", "/api/v1/x", "/v1beta/models",
                           "/status", "/robots.txt"}) {
    EXPECT_EQ(console.resolve(path).answer, Answer::None) << path;
  }
}

TEST(Console, OffAnswersNothing) {
  const Console console(kBundle, false);
  for (const char* path : {"/", "/index.html", "/keys", "/assets/index-B2x9aZ1q.js"}) {
    EXPECT_EQ(console.resolve(path).answer, Answer::None) << path;
  }
}

TEST(Console, WithoutABundleOnlyTheRootSaysSo) {
  const Console console({}, true);
  EXPECT_EQ(console.resolve("/").answer, Answer::NoBundle);
  EXPECT_EQ(console.resolve("/keys").answer, Answer::None);
  EXPECT_EQ(console.resolve("/index.html").answer, Answer::None);
  EXPECT_EQ(Console({}, false).resolve("/").answer, Answer::None);
}

}  // namespace
}  // namespace poise::app
