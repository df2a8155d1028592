// The admin endpoint table: one entry per endpoint, found by method and
// path, listed by GET /; the server answers 404 with the list and 405 for a
// known path under another method.
#include <gtest/gtest.h>
#include <uv.h>

#include "admin/admin_handlers.h"
#include "admin/admin_server.h"
#include "admin/query_params.h"

namespace switchyard::admin {
namespace {

AdminHandler echoQuery(std::string path) {
  return {"GET", std::move(path), "text/plain", "echoes its query string",
          [](std::string_view query) { return AdminResponse{200, "query=" + std::string(query) + "\n"}; }};
}

TEST(AdminHandlersTest, AddingTheSameMethodAndPathTwiceIsRefused) {
  AdminHandlers handlers;
  EXPECT_TRUE(handlers.add(echoQuery("/a")));
  EXPECT_FALSE(handlers.add(echoQuery("/a")));
  EXPECT_TRUE(handlers.add({"POST", "/a", "text/plain", "posts", [](std::string_view) { return AdminResponse{}; }}));
  EXPECT_EQ(handlers.all().size(), 2u);
}

TEST(AdminHandlersTest, FindsByMethodAndPathAndTellsAWrongMethodFromAnUnknownPath) {
  AdminHandlers handlers;
  handlers.add(echoQuery("/a"));
  bool method_not_allowed = true;
  ASSERT_NE(handlers.find("GET", "/a", &method_not_allowed), nullptr);
  EXPECT_FALSE(method_not_allowed);
  EXPECT_NE(handlers.find("HEAD", "/a", &method_not_allowed), nullptr);  // HEAD is served by GET
  EXPECT_EQ(handlers.find("POST", "/a", &method_not_allowed), nullptr);
  EXPECT_TRUE(method_not_allowed);
  EXPECT_EQ(handlers.find("GET", "/b", &method_not_allowed), nullptr);
  EXPECT_FALSE(method_not_allowed);
}

TEST(AdminHandlersTest, IndexListsEveryEndpointWithItsHelp) {
  AdminHandlers handlers;
  handlers.add(echoQuery("/a"));
  handlers.add({"GET", "/longer/path", "text/plain", "second", [](std::string_view) { return AdminResponse{}; }});
  EXPECT_EQ(handlers.index(),
            "GET /a            echoes its query string\n"
            "GET /longer/path  second\n");
}

class AdminServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    uv_loop_init(&loop_);
    AdminHandlers handlers;
    handlers.add(echoQuery("/echo"));
    handlers.add({"GET", "/busy", "text/plain", "always 503",
                  [](std::string_view) { return AdminResponse{503, "busy\n"}; }});
    handlers.add({"POST", "/change", "text/plain", "echoes its parameters", [](std::string_view query) {
                    return AdminResponse{200, "changed " + std::string(query) + "\n"};
                  }});
    server_ = std::make_unique<AdminServer>(&loop_, std::move(handlers));
  }
  void TearDown() override {
    server_.reset();
    uv_run(&loop_, UV_RUN_DEFAULT);
    uv_loop_close(&loop_);
  }
  uv_loop_t loop_{};
  std::unique_ptr<AdminServer> server_;
};

TEST_F(AdminServerTest, AnswersFromTheTableWithTheHandlersContentTypeAndQuery) {
  std::string response = server_->respond("GET", "/echo?format=json");
  EXPECT_EQ(response.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << response;
  EXPECT_NE(response.find("content-type: text/plain\r\n"), std::string::npos);
  EXPECT_NE(response.find("\r\n\r\nquery=format=json\n"), std::string::npos) << response;
  EXPECT_EQ(server_->respond("GET", "/busy").rfind("HTTP/1.1 503 Service Unavailable\r\n", 0), 0u);
}

TEST_F(AdminServerTest, RootListsTheEndpointsAndUnknownPathsGet404WithTheList) {
  std::string index = server_->respond("GET", "/");
  EXPECT_NE(index.find("GET /echo"), std::string::npos) << index;
  EXPECT_NE(index.find("GET /busy"), std::string::npos);
  EXPECT_NE(index.find("GET /  "), std::string::npos);
  std::string missing = server_->respond("GET", "/nope");
  EXPECT_EQ(missing.rfind("HTTP/1.1 404 Not Found\r\n", 0), 0u);
  EXPECT_NE(missing.find("GET /echo"), std::string::npos);
  EXPECT_EQ(server_->respond("DELETE", "/echo").rfind("HTTP/1.1 405 Method Not Allowed\r\n", 0), 0u);
}

TEST_F(AdminServerTest, AWrongMethodGets405WithAllow) {
  std::string get_only = server_->respond("POST", "/echo");
  EXPECT_EQ(get_only.rfind("HTTP/1.1 405 Method Not Allowed\r\n", 0), 0u) << get_only;
  EXPECT_NE(get_only.find("\r\nallow: GET, HEAD\r\n"), std::string::npos) << get_only;
  std::string post_only = server_->respond("GET", "/change");
  EXPECT_EQ(post_only.rfind("HTTP/1.1 405 Method Not Allowed\r\n", 0), 0u) << post_only;
  EXPECT_NE(post_only.find("\r\nallow: POST\r\n"), std::string::npos) << post_only;
}

TEST_F(AdminServerTest, APostFormBodyJoinsTheQuery) {
  EXPECT_NE(server_->respond("POST", "/change?a=1", "b=2").find("\r\n\r\nchanged a=1&b=2\n"), std::string::npos);
  EXPECT_NE(server_->respond("POST", "/change", "b=2").find("\r\n\r\nchanged b=2\n"), std::string::npos);
  EXPECT_NE(server_->respond("POST", "/change").find("\r\n\r\nchanged \n"), std::string::npos);
}

TEST_F(AdminServerTest, HeadGetsTheHeadWithoutTheBody) {
  std::string head = server_->respond("HEAD", "/echo?x");
  EXPECT_NE(head.find("content-length: 8\r\n"), std::string::npos) << head;
  EXPECT_EQ(head.substr(head.size() - 4), "\r\n\r\n") << head;
}

TEST(QueryParamsTest, SplitsAndDecodes) {
  auto params = parseQuery("a=1&b=x%2Fy+z&c=&d&&e=%41");
  ASSERT_TRUE(params);
  EXPECT_EQ(*params, (QueryParams{{"a", "1"}, {"b", "x/y z"}, {"c", ""}, {"d", ""}, {"e", "A"}}));
  EXPECT_EQ(parseQuery("")->size(), 0u);
  EXPECT_FALSE(parseQuery("a=%4"));
  EXPECT_FALSE(parseQuery("a=%zz"));
}

}  // namespace
}  // namespace switchyard::admin
