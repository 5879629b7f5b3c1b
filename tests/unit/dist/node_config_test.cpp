// --name / --sname parsing and the cookie's fallback to ~/.erlang.cookie (dist/node_config.hpp).
#include "dist/node_config.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace lunatic::dist {
namespace {

TEST(NodeName, LongNamesNeedAHost) {
  Result<NodeName> name = parse_node_name("a@127.0.0.1", false);
  ASSERT_TRUE(name);
  EXPECT_EQ(name->alive, "a");
  EXPECT_EQ(name->host, "127.0.0.1");
  EXPECT_EQ(name->full(), "a@127.0.0.1");
  EXPECT_FALSE(parse_node_name("a", false));
  EXPECT_FALSE(parse_node_name("@127.0.0.1", false));
  EXPECT_FALSE(parse_node_name("a b@h", false));
  EXPECT_FALSE(parse_node_name("a@h/x", false));
  EXPECT_FALSE(parse_node_name(std::string(300, 'a') + "@h", false));
}

TEST(NodeName, ShortNamesDefaultToThisHost) {
  Result<NodeName> name = parse_node_name("a", true);
  ASSERT_TRUE(name);
  EXPECT_EQ(name->alive, "a");
  EXPECT_FALSE(name->host.empty());
  EXPECT_EQ(name->host.find('.'), std::string::npos);
  EXPECT_FALSE(parse_node_name("a@x.y", true));  // a short name's host has no dots
  EXPECT_TRUE(parse_node_name("a@x", true));
}

TEST(Cookie, GivenOrFromTheHomeFile) {
  EXPECT_EQ(*find_cookie("SECRET"), "SECRET");
  EXPECT_FALSE(find_cookie("two words"));
  EXPECT_FALSE(find_cookie(std::string(256, 'c')));
  const std::filesystem::path home =
      std::filesystem::temp_directory_path() / ("lunatic-cookie-" + std::to_string(getpid()));
  std::filesystem::create_directories(home);
  const char* old = std::getenv("HOME");
  const std::string saved = old ? old : "";
  setenv("HOME", home.c_str(), 1);
  EXPECT_FALSE(find_cookie(""));  // no file
  std::ofstream(home / ".erlang.cookie") << "FROMFILE\n";
  Result<std::string> cookie = find_cookie("");
  if (old) {
    setenv("HOME", saved.c_str(), 1);
  } else {
    unsetenv("HOME");
  }
  std::filesystem::remove_all(home);
  ASSERT_TRUE(cookie);
  EXPECT_EQ(*cookie, "FROMFILE");
}

}  // namespace
}  // namespace lunatic::dist
