// Access to the observer: parsing --observe addresses, loopback detection, tokens, the Host
// header guard and process ids in paths.
#include <gtest/gtest.h>

#include "observer/access.hpp"
#include "observer/api.hpp"

namespace lunatic::observer {
namespace {

TEST(Endpoint, ParsesHostsAndPorts) {
  Result<Endpoint> e = parse_endpoint("127.0.0.1:9000");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->host, "127.0.0.1");
  EXPECT_EQ(e->port, 9000);
  EXPECT_TRUE(e->loopback);
  e = parse_endpoint("[::1]:0");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->host, "::1");
  EXPECT_TRUE(e->loopback);
  e = parse_endpoint(":8080");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->host, "127.0.0.1");
  EXPECT_TRUE(e->loopback);
  EXPECT_TRUE(parse_endpoint("localhost:1")->loopback);
  EXPECT_TRUE(parse_endpoint("127.1.2.3:1")->loopback);
  EXPECT_FALSE(parse_endpoint("0.0.0.0:1")->loopback);
  EXPECT_FALSE(parse_endpoint("[::]:1")->loopback);
  EXPECT_FALSE(parse_endpoint("192.168.1.4:1")->loopback);
  EXPECT_FALSE(parse_endpoint("example.com:1")->loopback);
}

TEST(Endpoint, RefusesMalformedAddresses) {
  for (const char* bad : {"9000", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:80x",
                          "::1:80", "bad host:80", "a/b:80", ""}) {
    Result<Endpoint> e = parse_endpoint(bad);
    EXPECT_FALSE(e.ok()) << bad;
    if (!e.ok()) {
      EXPECT_EQ(e.error().phase, Phase::Usage);
      EXPECT_NE(e.error().message.find("--observe"), std::string::npos);
    }
  }
}

TEST(Token, GeneratedTokensAreRandomHex) {
  const std::string a = generate_token(), b = generate_token();
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(Token, ComparedWhole) {
  EXPECT_TRUE(same_token("abc", "abc"));
  EXPECT_FALSE(same_token("abd", "abc"));
  EXPECT_FALSE(same_token("ab", "abc"));
  EXPECT_FALSE(same_token("abcd", "abc"));
  EXPECT_FALSE(same_token("", ""));  // an empty token never opens anything
}

TEST(Token, FromTheHeaderOrTheQuery) {
  EXPECT_EQ(presented_token("Bearer xyz", ""), "xyz");
  EXPECT_EQ(presented_token("Bearer xyz", "q"), "xyz");
  EXPECT_EQ(presented_token("", "q"), "q");
  EXPECT_EQ(presented_token("Basic eHl6", ""), std::nullopt);
  EXPECT_EQ(presented_token("", ""), std::nullopt);
}

TEST(HostHeader, OnlyLoopbackNames) {
  for (const char* ok : {"127.0.0.1", "127.0.0.1:9000", "localhost:80", "[::1]:9000", "[::1]"}) {
    EXPECT_TRUE(loopback_host_header(ok)) << ok;
  }
  for (const char* bad : {"", "evil.example", "evil.example:9000", "10.0.0.1:80", "[::1", "[::1]x",
                          "localhost.evil.example"}) {
    EXPECT_FALSE(loopback_host_header(bad)) << bad;
  }
}

TEST(ProcessIds, DecimalWithinRange) {
  EXPECT_EQ(parse_process_id("1"), 1u);
  EXPECT_EQ(parse_process_id("0"), 0u);
  EXPECT_EQ(parse_process_id("18446744073709551615"), UINT64_MAX);
  for (const char* bad : {"", "-1", "+1", "01", "1a", " 1", "18446744073709551616",
                          "999999999999999999999", "0x10"}) {
    EXPECT_EQ(parse_process_id(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace lunatic::observer
