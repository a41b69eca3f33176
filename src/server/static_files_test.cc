// StaticFiles: the dashboard's files served from memory, the app's own URLs answered with
// index.html, and nothing outside the web root reachable.
#include "server/static_files.h"

#include <gtest/gtest.h>

#include <fstream>

namespace orchard::server {
namespace {

namespace fs = std::filesystem;

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("orchard-static-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "web" / "assets");
    Write("web/index.html", "<!doctype html><title>Orchard</title>");
    Write("web/assets/index-abc123.js", "console.log(1)");
    Write("web/favicon.svg", "<svg/>");
    Write("secret.txt", "outside the web root");
  }
  void TearDown() override { fs::remove_all(root_); }
  void Write(const std::string& rel, const std::string& text) { std::ofstream(root_ / rel) << text; }
  fs::path root_;
};

TEST_F(StaticFilesTest, ServesFilesWithTypesAndCaching) {
  StaticFiles web;
  ASSERT_TRUE(web.Load(root_ / "web").ok());
  auto js = web.Serve("/assets/index-abc123.js");
  ASSERT_TRUE(js.has_value());
  EXPECT_EQ(js->body, "console.log(1)");
  EXPECT_EQ(js->content_type, "text/javascript; charset=utf-8");
  ASSERT_EQ(js->headers.size(), 1u);
  EXPECT_EQ(js->headers[0].second, "public, max-age=31536000, immutable");
  auto svg = web.Serve("/favicon.svg");
  ASSERT_TRUE(svg.has_value());
  EXPECT_EQ(svg->content_type, "image/svg+xml");
  EXPECT_EQ(svg->headers[0].second, "no-cache");
}

TEST_F(StaticFilesTest, TheAppsOwnUrlsAnswerIndexHtml) {
  StaticFiles web;
  ASSERT_TRUE(web.Load(root_ / "web").ok());
  for (const char* path : {"/", "/sales", "/reviews/42", "/accounts/link/asc-key"}) {
    auto page = web.Serve(path);
    ASSERT_TRUE(page.has_value()) << path;
    EXPECT_EQ(page->body, "<!doctype html><title>Orchard</title>") << path;
    EXPECT_EQ(page->content_type, "text/html; charset=utf-8") << path;
  }
}

TEST_F(StaticFilesTest, NothingElseIsAnswered) {
  StaticFiles web;
  ASSERT_TRUE(web.Load(root_ / "web").ok());
  for (const char* path : {"/api/v1/nothing", "/assets/missing.js", "/missing.css", "/../secret.txt",
                           "/assets/../../secret.txt", "secret.txt", ""}) {
    EXPECT_FALSE(web.Serve(path).has_value()) << path;
  }
}

TEST_F(StaticFilesTest, LoadRefusesAFolderWithoutIndexHtmlOrTooBig) {
  StaticFiles web;
  Status missing = web.Load(root_ / "nowhere");
  EXPECT_EQ(missing.code(), Code::kNotFound);
  EXPECT_NE(missing.message().find("index.html"), std::string::npos);
  EXPECT_FALSE(web.loaded());
  Status big = web.Load(root_ / "web", /*max_bytes=*/10);
  EXPECT_EQ(big.code(), Code::kResourceExhausted);
  EXPECT_FALSE(web.Serve("/").has_value());
}

}  // namespace
}  // namespace orchard::server
