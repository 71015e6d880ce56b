// The Server's connection bounds, on 127.0.0.1 over plain TCP.

#include "net/server.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <thread>

#include "net/client.hpp"

namespace sotto::net {
namespace {

using namespace std::chrono_literals;

TEST(Server, RefusesMoreConnectionsFromOneAddressThanItsBound) {
  ServerConfig c;
  c.tls = false;
  c.rate_per_second = 0;
  c.max_connections_per_ip = 2;
  Server server(c, [](HttpRequest, Reply reply) { reply({200, "ok", "text/plain", {}}); });
  ASSERT_TRUE(server.start());
  std::optional<HttpClient> a(std::in_place, "127.0.0.1", server.port(), false, 2s), b(std::in_place, "127.0.0.1", server.port(), false, 2s);
  ASSERT_TRUE(a->get("/"));  // both stay open (keep-alive)
  ASSERT_TRUE(b->get("/"));
  HttpClient third("127.0.0.1", server.port(), false, 2s);
  auto refused = third.get("/");
  EXPECT_FALSE(refused);
  EXPECT_EQ(server.stats().connections_refused, 1u);
  EXPECT_EQ(server.stats().connections_open, 2u);
  a.reset();  // one closes: room for another
  for (int i = 0; i < 100 && server.stats().connections_open > 1; ++i) std::this_thread::sleep_for(10ms);
  auto again = third.get("/");
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(again->body, "ok");
  server.stop();
}

}  // namespace
}  // namespace sotto::net
