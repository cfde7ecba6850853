#include "net/forwarded_client.h"

#include <gtest/gtest.h>

namespace poise::net {
namespace {

namespace ip = boost::asio::ip;

struct Case {
  const char* name;
  const char* peer;
  const char* forwarded_for;
  const char* forwarded_proto;
  const char* client;
  bool https;
};

// Trusted: the loopback proxy, an internal IPv4 block and an IPv6 block.
const AddressRanges& trusted() {
  static const AddressRanges r = *AddressRanges::parse("127.0.0.1/32, 10.0.0.0/8, fd00::/8");
  return r;
}

TEST(ForwardedClient, TakesTheRightmostUntrustedAddressFromATrustedPeerOnly) {
  const Case cases[] = {
      {"untrusted peer: headers ignored", "198.51.100.9", "203.0.113.7", "https", "198.51.100.9",
       false},
      {"trusted peer, one address", "127.0.0.1", "203.0.113.7", "", "203.0.113.7", false},
      {"no header: the peer", "127.0.0.1", "", "", "127.0.0.1", false},
      {"blank header: the peer", "127.0.0.1", "  ", "", "127.0.0.1", false},
      {"chain: rightmost untrusted wins", "127.0.0.1", "1.1.1.1, 203.0.113.7, 10.1.2.3", "",
       "203.0.113.7", false},
      {"spoofed left part is skipped", "10.0.0.5", "6.6.6.6,203.0.113.7", "", "203.0.113.7", false},
      {"every hop trusted: the leftmost", "127.0.0.1", "10.0.0.1, 10.0.0.2", "", "10.0.0.1", false},
      {"IPv6 client", "127.0.0.1", "2001:db8::1", "", "2001:db8::1", false},
      {"bracketed IPv6", "127.0.0.1", "[2001:db8::2]", "", "2001:db8::2", false},
      {"IPv6 peer and trusted IPv6 hop", "fd00::1", "2001:db8::3, fd12::9", "", "2001:db8::3",
       false},
      {"mapped peer matches IPv4 entry", "::ffff:127.0.0.1", "203.0.113.8", "", "203.0.113.8",
       false},
      {"mapped client unmapped", "127.0.0.1", "::ffff:203.0.113.9", "", "203.0.113.9", false},
      {"garbage: the peer", "127.0.0.1", "not-an-ip", "", "127.0.0.1", false},
      {"one bad entry spoils the list", "127.0.0.1", "203.0.113.7, evil", "", "127.0.0.1", false},
      {"empty entry", "127.0.0.1", "203.0.113.7,,10.0.0.1", "", "127.0.0.1", false},
      {"port is not an address", "127.0.0.1", "203.0.113.7:8080", "", "127.0.0.1", false},
      {"zone id refused", "127.0.0.1", "fe80::1%eth0", "", "127.0.0.1", false},
      {"control characters", "127.0.0.1", "203.0.113.7\r\nx", "", "127.0.0.1", false},
      {"obfuscated forms", "127.0.0.1", "unknown", "", "127.0.0.1", false},
      {"https from a trusted peer", "127.0.0.1", "203.0.113.7", "HTTPS", "203.0.113.7", true},
      {"rightmost proto counts", "127.0.0.1", "203.0.113.7", "https, http", "203.0.113.7", false},
      {"proto without XFF", "127.0.0.1", "", " https ", "127.0.0.1", true},
      {"proto garbage", "127.0.0.1", "", "httpsx", "127.0.0.1", false},
  };
  for (const Case& c : cases) {
    const auto got =
        forwardedClient(ip::make_address(c.peer), c.forwarded_for, c.forwarded_proto, trusted());
    EXPECT_EQ(got.ip, c.client) << c.name;
    EXPECT_EQ(got.https, c.https) << c.name;
  }
}

TEST(ForwardedClient, NoTrustedProxiesMeansNoForwarding) {
  const auto got = forwardedClient(ip::make_address("127.0.0.1"), "203.0.113.7", "https", {});
  EXPECT_EQ(got.ip, "127.0.0.1");
  EXPECT_FALSE(got.https);
}

TEST(ForwardedClient, OverlongListsAreIgnored) {
  std::string list;
  for (int i = 0; i < 65; ++i) list += (i ? "," : "") + std::string("203.0.113.1");
  EXPECT_EQ(forwardedClient(ip::make_address("127.0.0.1"), list, "", trusted()).ip, "127.0.0.1");
  list.resize(list.rfind(','));
  EXPECT_EQ(forwardedClient(ip::make_address("127.0.0.1"), list, "", trusted()).ip, "203.0.113.1");
}

TEST(ForwardedClient, JoinsEveryHeaderLineOfTheRequest) {
  Request req{boost::beast::http::verb::get, "/", 11};
  req.insert("X-Forwarded-For", "6.6.6.6");
  req.insert("X-Forwarded-For", "203.0.113.7");
  req.insert("X-Forwarded-Proto", "https");
  const auto got = forwardedClient(ip::make_address("127.0.0.1"), req, trusted());
  EXPECT_EQ(got.ip, "203.0.113.7");
  EXPECT_TRUE(got.https);
  const auto untrusted = forwardedClient(ip::make_address("192.0.2.1"), req, trusted());
  EXPECT_EQ(untrusted.ip, "192.0.2.1");
  EXPECT_FALSE(untrusted.https);
}

}  // namespace
}  // namespace poise::net
