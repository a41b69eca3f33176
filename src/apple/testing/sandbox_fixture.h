// A sandbox for the Apple clients' tests: started on a free loopback port with seed 11 and
// today 2026-03-10, its files in a fresh temporary directory, all removed at the end.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "net/http_client.h"
#include "sandbox/sandbox.h"

namespace orchard::apple::testing {

class SandboxFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("orchard-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "-" +
            std::to_string(::getpid()));
    sandbox::SandboxOptions o;
    o.keys_dir = dir_;
    o.seed = 11;
    o.today = *Date::ParseIso("2026-03-10");
    auto s = sandbox::Sandbox::Start(o);
    ASSERT_TRUE(s.has_value()) << s.error().ToString();
    sandbox_ = std::move(*s);
    http_ = net::MakeCurlHttpClient();
  }
  void TearDown() override {
    http_.reset();  // close kept-alive connections first, or the sandbox waits ~5 s on them
    sandbox_.reset();
    std::filesystem::remove_all(dir_);
  }
  // A JSON file the sandbox wrote into its keys dir (key.json, apple-id.json …).
  nlohmann::json KeysFile(const std::string& name) const {
    std::ifstream in(dir_ / name);
    std::stringstream text;
    text << in.rdbuf();
    return nlohmann::json::parse(text.str());
  }

  std::filesystem::path dir_;
  std::unique_ptr<sandbox::Sandbox> sandbox_;
  std::unique_ptr<net::HttpClient> http_;
};

}  // namespace orchard::apple::testing
