// The outbound HTTP call of filter ABI 1.4 (sy_host_api.http_call), through
// the host table on a real Worker, against a scripted upstream on the same
// loop: what goes on the wire, what the done function gets and when, the
// kept-alive connection, every failure, cancel, and the worker's end.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <uv.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config/config_loader.h"
#include "module/host_api.h"
#include "module/module_loader.h"
#include "server/serving_config.h"
#include "server/worker.h"

namespace switchyard::server {
namespace {

sy_slice sliceOf(std::string_view text) { return sy_slice{text.data(), text.size()}; }

// A server on the test's loop: it reads each request head (and a
// content-length body) and answers with what `respond` returns for it; an
// empty answer leaves the request hanging, "CLOSE" closes the connection.
class ScriptedUpstream {
 public:
  explicit ScriptedUpstream(uv_loop_t* loop) : loop_(loop) {
    uv_tcp_init(loop, &server_);
    server_.data = this;
    sockaddr_in address{};
    uv_ip4_addr("127.0.0.1", 0, &address);
    uv_tcp_bind(&server_, reinterpret_cast<const sockaddr*>(&address), 0);
    uv_listen(reinterpret_cast<uv_stream_t*>(&server_), 16, [](uv_stream_t* server, int) {
      auto* self = static_cast<ScriptedUpstream*>(server->data);
      auto* client = new Client{self, {}, {}};
      uv_tcp_init(server->loop, &client->socket);
      client->socket.data = client;
      uv_accept(server, reinterpret_cast<uv_stream_t*>(&client->socket));
      ++self->connections;
      self->clients_.push_back(client);
      uv_read_start(
          reinterpret_cast<uv_stream_t*>(&client->socket),
          [](uv_handle_t*, size_t, uv_buf_t* buf) {
            static char buffer[65536];
            *buf = uv_buf_init(buffer, sizeof buffer);
          },
          [](uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
            auto* client = static_cast<Client*>(stream->data);
            if (nread < 0) return client->owner->closeClient(client);
            client->received.append(buf->base, size_t(nread));
            client->owner->answerComplete(client);
          });
    });
    sockaddr_in bound{};
    int length = sizeof bound;
    uv_tcp_getsockname(&server_, reinterpret_cast<sockaddr*>(&bound), &length);
    port = ntohs(bound.sin_port);
  }
  ~ScriptedUpstream() {
    for (Client* client : std::vector<Client*>(clients_)) closeClient(client);
    uv_close(reinterpret_cast<uv_handle_t*>(&server_), nullptr);
    uv_run(loop_, UV_RUN_NOWAIT);  // the closes finish before server_ goes
  }

  std::function<std::string(const std::string& request)> respond = [](const std::string&) {
    return std::string("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
  };
  std::vector<std::string> requests;
  int connections = 0;
  int port = 0;

 private:
  struct Client {
    ScriptedUpstream* owner;
    uv_tcp_t socket;
    std::string received;
  };

  void answerComplete(Client* client) {
    for (;;) {
      size_t head_end = client->received.find("\r\n\r\n");
      if (head_end == std::string::npos) return;
      size_t body_length = 0;
      size_t at = client->received.find("content-length: ");
      if (at != std::string::npos && at < head_end)
        body_length = std::stoul(client->received.substr(at + 16));
      size_t total = head_end + 4 + body_length;
      if (client->received.size() < total) return;
      std::string request = client->received.substr(0, total);
      client->received.erase(0, total);
      requests.push_back(request);
      std::string answer = respond(request);
      if (answer.empty()) continue;
      if (answer == "CLOSE") return closeClient(client);
      auto* write = new uv_write_t;
      auto* copy = new std::string(std::move(answer));
      write->data = copy;
      uv_buf_t buf = uv_buf_init(copy->data(), unsigned(copy->size()));
      uv_write(write, reinterpret_cast<uv_stream_t*>(&client->socket), &buf, 1, [](uv_write_t* done, int) {
        delete static_cast<std::string*>(done->data);
        delete done;
      });
    }
  }
  void closeClient(Client* client) {
    std::erase(clients_, client);
    uv_close(reinterpret_cast<uv_handle_t*>(&client->socket),
             [](uv_handle_t* handle) { delete static_cast<Client*>(handle->data); });
  }

  uv_loop_t* loop_;
  uv_tcp_t server_;
  std::vector<Client*> clients_;
};

struct Outcome {
  bool reported = false;
  uint32_t status = 0;
  std::string failure;
  std::string body;
};

void recordOutcome(void* user_data, const sy_http_call_result* result) {
  auto* outcome = static_cast<Outcome*>(user_data);
  EXPECT_FALSE(outcome->reported) << "done ran twice";
  outcome->reported = true;
  outcome->status = result->status;
  outcome->failure.assign(result->failure.ptr, result->failure.len);
  outcome->body.assign(result->body.ptr, result->body.len);
}

class HttpCallTest : public ::testing::Test {
 protected:
  void SetUp() override { uv_loop_init(&loop_); }
  void TearDown() override {
    worker_.reset();
    upstream_.reset();
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop_), 0);
  }

  // A worker whose cluster `collector` is the scripted upstream (or
  // `port`), and `down` a port nothing listens on.
  void startWorker(std::optional<int> port = std::nullopt) {
    upstream_ = std::make_unique<ScriptedUpstream>(&loop_);
    std::string config_text = R"(
listeners:
  - name: edge
    address: 127.0.0.1
    port: 1
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
          - match: { prefix: / }
            route: { cluster: collector }
clusters:
  - name: collector
    connect_timeout: 1s
    endpoints:
      - { address: 127.0.0.1, port: )" +
                              std::to_string(port.value_or(upstream_->port)) + R"( }
)";
    auto loaded = config::loadConfigText(config_text, "calls.yaml", config::ConfigFormat::kYaml);
    ASSERT_TRUE(loaded.ok()) << loaded.errors.front();
    module::ModuleLoader loader({}, module::hostApi());
    std::vector<std::string> errors;
    auto serving = buildServingConfig(loaded.bootstrap, "calls.yaml", loader, &errors);
    ASSERT_TRUE(serving) << errors.front();
    worker_ = std::make_unique<Worker>(&loop_, serving);
    // Timers count from the loop's cached time: refresh it after the slow
    // setup (under valgrind, seconds), or the first connect times out.
    uv_update_time(&loop_);
  }

  sy_worker* worker() {
    return reinterpret_cast<sy_worker*>(static_cast<module::WorkerServices*>(worker_.get()));
  }

  sy_http_call* call(Outcome& outcome, std::string_view cluster = "collector", uint64_t timeout_ms = 2000,
                     std::string_view path = "/v1/traces") {
    static const sy_slice headers[] = {sliceOf("content-type"), sliceOf("application/x-protobuf")};
    sy_http_call_request request{};
    request.size = sizeof request;
    request.cluster = sliceOf(cluster);
    request.method = sliceOf("POST");
    request.path = sliceOf(path);
    request.headers = headers;
    request.header_count = 1;
    request.body = sliceOf("spans!");
    request.timeout_ms = timeout_ms;
    return module::hostApi()->http_call(worker(), &request, recordOutcome, &outcome);
  }

  void runUntil(const Outcome& outcome) {
    while (!outcome.reported && uv_run(&loop_, UV_RUN_ONCE) != 0) {
    }
  }

  uv_loop_t loop_;
  std::unique_ptr<ScriptedUpstream> upstream_;
  std::unique_ptr<Worker> worker_;
};

TEST_F(HttpCallTest, SendsTheRequestAndReportsTheResponseLater) {
  startWorker();
  Outcome outcome;
  ASSERT_NE(call(outcome), nullptr);
  EXPECT_FALSE(outcome.reported) << "done ran inside http_call";
  runUntil(outcome);
  EXPECT_EQ(outcome.status, 200u);
  EXPECT_EQ(outcome.failure, "");
  EXPECT_EQ(outcome.body, "ok");
  ASSERT_EQ(upstream_->requests.size(), 1u);
  const std::string& request = upstream_->requests[0];
  EXPECT_EQ(request.rfind("POST /v1/traces HTTP/1.1\r\n", 0), 0u) << request;
  EXPECT_NE(request.find("\r\nHost: collector\r\n"), std::string::npos) << request;
  EXPECT_NE(request.find("\r\ncontent-type: application/x-protobuf\r\n"), std::string::npos) << request;
  EXPECT_NE(request.find("\r\ncontent-length: 6\r\n\r\nspans!"), std::string::npos) << request;
}

TEST_F(HttpCallTest, ReusesTheConnectionForTheNextCall) {
  startWorker();
  for (int i = 0; i < 3; ++i) {
    Outcome outcome;
    ASSERT_NE(call(outcome), nullptr);
    runUntil(outcome);
    EXPECT_EQ(outcome.status, 200u);
  }
  EXPECT_EQ(upstream_->connections, 1);
}

TEST_F(HttpCallTest, KeepsTheFirst64KiBOfALongBody) {
  startWorker();
  upstream_->respond = [](const std::string&) {
    return "HTTP/1.1 201 Created\r\ncontent-length: 100000\r\n\r\n" + std::string(100000, 'x');
  };
  Outcome outcome;
  call(outcome);
  runUntil(outcome);
  EXPECT_EQ(outcome.status, 201u);
  EXPECT_EQ(outcome.body.size(), 64u * 1024);
}

TEST_F(HttpCallTest, AnUnknownClusterIsReportedThroughDoneNotByHttpCall) {
  startWorker();
  Outcome outcome;
  ASSERT_NE(call(outcome, "nowhere"), nullptr);
  EXPECT_FALSE(outcome.reported);
  runUntil(outcome);
  EXPECT_EQ(outcome.failure, "unknown_cluster");
  EXPECT_EQ(outcome.status, 0u);
}

TEST_F(HttpCallTest, ARefusedConnectionIsAConnectFailure) {
  startWorker(1);  // nothing listens on port 1
  Outcome refused;
  call(refused);
  runUntil(refused);
  EXPECT_EQ(refused.failure, "connect_failure");
  EXPECT_EQ(refused.status, 0u);
}

TEST_F(HttpCallTest, AConnectionClosedBeforeAResponseIsAReset) {
  startWorker();
  upstream_->respond = [](const std::string&) { return std::string("CLOSE"); };
  Outcome reset;
  call(reset);
  runUntil(reset);
  EXPECT_EQ(reset.failure, "reset");
}

TEST_F(HttpCallTest, AnUnansweredCallTimesOut) {
  startWorker();
  upstream_->respond = [](const std::string&) { return std::string(); };  // never answers
  Outcome timed_out;
  uint64_t started = uv_now(&loop_);
  call(timed_out, "collector", 50);
  runUntil(timed_out);
  EXPECT_EQ(timed_out.failure, "timeout");
  EXPECT_GE(uv_now(&loop_) - started, 50u);
}

TEST_F(HttpCallTest, AClusterWithoutAHealthyHostIsReportedEvenInPanicMode) {
  startWorker();
  // Its only host failed its health check: proxied requests would still go
  // there (panic mode), a call does not.
  const config::ClusterConfig& cluster = *worker_->config().findCluster("collector");
  worker_->clusters().cluster(cluster).hosts.setHealthFlag(0, upstream::HostHealthFlag::kFailedActiveCheck);
  Outcome outcome;
  ASSERT_NE(call(outcome), nullptr);
  runUntil(outcome);
  EXPECT_EQ(outcome.failure, "no_healthy_upstream");
  EXPECT_TRUE(upstream_->requests.empty());
}

TEST_F(HttpCallTest, ACancelledCallNeverReports) {
  startWorker();
  upstream_->respond = [](const std::string&) { return std::string(); };
  Outcome cancelled;
  sy_http_call* handle = call(cancelled);
  ASSERT_NE(handle, nullptr);
  while (upstream_->requests.empty()) uv_run(&loop_, UV_RUN_ONCE);
  module::hostApi()->http_call_cancel(handle);
  Outcome later;
  upstream_->respond = [](const std::string&) { return std::string("HTTP/1.1 204 No Content\r\n\r\n"); };
  call(later);
  runUntil(later);
  EXPECT_EQ(later.status, 204u);
  EXPECT_FALSE(cancelled.reported);
}

TEST_F(HttpCallTest, TheWorkersEndEndsCallsInFlightWithShutdownAndRefusesNewOnes) {
  startWorker();
  upstream_->respond = [](const std::string&) { return std::string(); };
  Outcome pending;
  call(pending);
  while (upstream_->requests.empty()) uv_run(&loop_, UV_RUN_ONCE);
  bool drained = false;
  worker_->drain(1000, [&] { drained = true; });
  EXPECT_TRUE(drained);
  EXPECT_TRUE(pending.reported);
  EXPECT_EQ(pending.failure, "shutdown");
  Outcome refused;
  EXPECT_EQ(call(refused), nullptr);
  EXPECT_FALSE(refused.reported);
}

TEST_F(HttpCallTest, InvalidRequestsAreRefusedWithNull) {
  startWorker();
  Outcome outcome;
  EXPECT_EQ(call(outcome, "collector", 0), nullptr);                 // no timeout
  EXPECT_EQ(call(outcome, "collector", 100, "v1/traces"), nullptr);  // not a path
  EXPECT_EQ(call(outcome, ""), nullptr);                             // no cluster
  sy_slice framing[] = {sliceOf("Content-Length"), sliceOf("5")};
  sy_http_call_request request{};
  request.size = sizeof request;
  request.cluster = sliceOf("collector");
  request.method = sliceOf("POST");
  request.path = sliceOf("/");
  request.headers = framing;
  request.header_count = 1;
  request.timeout_ms = 100;
  EXPECT_EQ(module::hostApi()->http_call(worker(), &request, recordOutcome, &outcome), nullptr);
  sy_slice injected[] = {sliceOf("x-ok"), sliceOf("a\r\nx-evil: 1")};
  request.headers = injected;
  EXPECT_EQ(module::hostApi()->http_call(worker(), &request, recordOutcome, &outcome), nullptr);
  uv_run(&loop_, UV_RUN_NOWAIT);
  EXPECT_FALSE(outcome.reported);
}

}  // namespace
}  // namespace switchyard::server
