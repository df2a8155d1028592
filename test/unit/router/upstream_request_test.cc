// router::UpstreamRequest driven by fake connection pools: what it sends,
// how attempts end, and what filters calling back into it from their attempt
// hooks (retry, hedge, cancel, reject, close) do — the re-entrancy rule in
// upstream_request.h. The real pools and sockets are covered by the
// integration tests; here every event is the test's to give, in its order.
#include <gtest/gtest.h>
#include <uv.h>

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/config_loader.h"
#include "http/message_encoder.h"
#include "config/proxy_config.h"
#include "router/route_table.h"
#include "router/upstream_request.h"
#include "upstream/cluster_manager.h"

namespace switchyard::router {
namespace {

class FakeConnection final : public upstream::PooledConnection {
 public:
  void attach(upstream::UpstreamResponseHandler* handler, bool) override { handler_ = handler; }
  void detach() override { handler_ = nullptr; }
  void write(std::string&& data) override { written += data; }
  void pauseReading() override {}
  void resumeReading() override {}
  size_t writeQueueBytes() const override { return 0; }
  void close() override {
    closed = true;
    handler_ = nullptr;
  }
  uint64_t idleMs() const override { return 0; }
  uint64_t responseBytesReceived() const override { return 0; }

  // The upstream answers with a complete, bodiless response.
  void respond(int status) {
    http::HeaderMap headers;
    headers.add(":status", std::to_string(status));
    http::ResponseInfo info;
    info.end_stream = true;
    auto* handler = handler_;
    handler->onUpstreamHeaders(std::move(headers), info);
    if (handler_ == handler) handler->onUpstreamComplete();
  }
  void reset() { handler_->onUpstreamFailure(upstream::UpstreamFailure::kResetBeforeHeaders, "connection reset"); }
  bool attached() const { return handler_ != nullptr; }

  std::string written;
  bool closed = false;

 private:
  upstream::UpstreamResponseHandler* handler_ = nullptr;
};

class FakePool final : public upstream::ConnectionPool {
 public:
  explicit FakePool(const config::EndpointConfig& endpoint) : endpoint_(endpoint) {}
  void request(upstream::PoolCallbacks& callbacks) override { waiting_.push_back(&callbacks); }
  void requestNew(upstream::PoolCallbacks& callbacks) override { waiting_.push_back(&callbacks); }
  void cancel(upstream::PoolCallbacks& callbacks) override { std::erase(waiting_, &callbacks); }
  void release(upstream::PooledConnection&) override { ++released; }
  const config::EndpointConfig& endpoint() const override { return endpoint_; }
  void closeIdle() override {}
  void setDraining(bool) override {}

  size_t waiting() const { return waiting_.size(); }
  // The oldest request gets a fresh connection.
  FakeConnection& connect() {
    connections.push_back(std::make_unique<FakeConnection>());
    FakeConnection& connection = *connections.back();
    upstream::PoolCallbacks* callbacks = waiting_.front();
    waiting_.pop_front();
    callbacks->onPoolReady(connection, false);
    return connection;
  }
  void refuse() {
    upstream::PoolCallbacks* callbacks = waiting_.front();
    waiting_.pop_front();
    callbacks->onPoolFailure(upstream::UpstreamFailure::kConnectFailure, "connection refused");
  }

  std::vector<std::unique_ptr<FakeConnection>> connections;
  int released = 0;

 private:
  const config::EndpointConfig& endpoint_;
  std::deque<upstream::PoolCallbacks*> waiting_;
};

// The stream's side: records what the request reports, and plays the
// filters through the hook functions a test sets.
class RecordingStream final : public UpstreamRequestCallbacks {
 public:
  void runAttemptStarted(const sy_attempt_info& attempt, http::HeaderMap& headers) override {
    events.push_back("started " + std::to_string(attempt.number) + (attempt.hedged ? " hedged" : ""));
    headers.add("x-attempt", std::to_string(attempt.number));
    if (on_started) on_started(attempt);
  }
  void runAttemptFinished(const sy_attempt_info& attempt) override {
    std::string event = "finished ";
    event += std::to_string(attempt.number);
    event += ' ';
    event += sy_attempt_outcome_name(attempt.outcome);
    if (attempt.outcome == SY_ATTEMPT_RESPONSE) {
      event += ' ';
      event += std::to_string(attempt.status);
    }
    events.push_back(event);
    if (on_finished) on_finished(attempt);
  }
  sy_admission runAttemptAdmit(const sy_attempt_info& candidate, std::string* reason) override {
    // Recorded only in the tests that play an admitting filter.
    if (!on_admit) return SY_ADMIT;
    std::string host(candidate.upstream_host.ptr, candidate.upstream_host.len);
    events.push_back("admit? " + std::to_string(candidate.number) + " " + host);
    return on_admit(host, reason);
  }
  void onUpstreamOverloaded(std::string_view reason) override { events.push_back("overloaded " + std::string(reason)); }
  void onUpstreamResponseHeaders(http::HeaderMap&& headers, bool) override {
    events.push_back("response " + std::to_string(http::statusOf(headers)));
  }
  void onUpstreamResponseBody(std::string_view) override {}
  void onUpstreamResponseTrailers(http::HeaderMap&&) override {}
  void onUpstreamResponseComplete() override { events.push_back("response complete"); }
  void onUpstreamFailed(int status, std::string_view, std::string_view) override {
    events.push_back("failed " + std::to_string(status));
  }
  void onUpstreamResponseReset(std::string_view, std::string_view) override { events.push_back("response reset"); }
  void onUpstreamRequestDrained() override {}
  void addResponseFlag(sy_response_flag flag) override {
    sy_slice code = sy_response_flag_code(flag);
    flags.emplace_back(code.ptr, code.len);
  }
  bool downstreamDispatching() const override { return false; }

  std::function<sy_admission(const std::string& host, std::string* reason)> on_admit;
  std::function<void(const sy_attempt_info&)> on_started;
  std::function<void(const sy_attempt_info&)> on_finished;
  std::vector<std::string> events;
  std::vector<std::string> flags;
};

constexpr const char* kConfig = R"(
listeners:
  - name: edge
    port: 1
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
          - match: { prefix: /api/ }
            route: { cluster: backend, prefix_rewrite: / }
clusters:
  - name: backend
    endpoints:
      - { address: 127.0.0.1, port: 1001 }
      - { address: 127.0.0.1, port: 1002 }
)";

class UpstreamRequestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    uv_loop_init(&loop_);
    auto loaded = config::loadConfigText(kConfig, "test.yaml", config::ConfigFormat::kYaml);
    ASSERT_TRUE(loaded.ok()) << loaded.errors.front();
    config_ = config::compileProxyConfig(loaded.bootstrap);
    routes_ = std::make_unique<RouteTable>(*config_->listeners[0]->proto);
    health_ = std::make_unique<upstream::UpstreamHealth>(*config_);
    memberships_ = std::make_unique<upstream::ClusterMemberships>(*config_, *health_);
    clusters_ = std::make_unique<upstream::ClusterManager>(
        *config_, *health_, *memberships_,
        [this](const config::ClusterConfig&, size_t, const config::EndpointConfig& endpoint) {
          auto pool = std::make_unique<FakePool>(endpoint);
          pools_.push_back(pool.get());
          return pool;
        });
  }
  void TearDown() override {
    request_.reset();
    clusters_.reset();
    uv_run(&loop_, UV_RUN_DEFAULT);
    ASSERT_EQ(uv_loop_close(&loop_), 0);
  }

  // A GET (or a POST with a body to come) on /api/items, routed and started.
  void start(size_t replay_buffer_bytes = 65536, bool with_body = false) {
    request_ = std::make_unique<UpstreamRequest>(stream_, &loop_, *routes_, *config_, *clusters_,
                                                 replay_buffer_bytes);
    http::HeaderMap headers;
    headers.add(":method", with_body ? "POST" : "GET");
    headers.add(":path", "/api/items");
    headers.add(":authority", "svc");
    if (with_body) headers.add("content-length", "5");
    request_->selectRoute(headers);
    ASSERT_TRUE(request_->start(headers, !with_body, "10.0.0.1"));
  }
  // Runs the loop until the pending retry timer fired.
  void runRetryTimer() { uv_run(&loop_, UV_RUN_ONCE); }
  size_t waitingOn(size_t pool) const { return pools_[pool]->waiting(); }

  uv_loop_t loop_{};
  std::shared_ptr<const config::ProxyConfig> config_;
  std::unique_ptr<RouteTable> routes_;
  std::vector<FakePool*> pools_;
  std::unique_ptr<upstream::UpstreamHealth> health_;
  std::unique_ptr<upstream::ClusterMemberships> memberships_;
  std::unique_ptr<upstream::ClusterManager> clusters_;
  RecordingStream stream_;
  std::unique_ptr<UpstreamRequest> request_;
};

TEST_F(UpstreamRequestTest, SendsTheRewrittenHeadWithForwardingHeadersToOneHost) {
  start();
  ASSERT_EQ(waitingOn(0) + waitingOn(1), 1u);
  FakeConnection& connection = pools_[waitingOn(0) == 1 ? 0 : 1]->connect();
  EXPECT_EQ(connection.written.rfind("GET /items HTTP/1.1\r\n", 0), 0u) << connection.written;
  EXPECT_NE(connection.written.find("x-forwarded-for: 10.0.0.1\r\n"), std::string::npos);
  EXPECT_NE(connection.written.find("x-attempt: 1\r\n"), std::string::npos);  // attempt_started's edit
  connection.respond(200);
  EXPECT_EQ(stream_.events, (std::vector<std::string>{"started 1", "finished 1 response 200", "response 200",
                                                      "response complete"}));
  EXPECT_EQ(request_->attemptCount(), 1u);
  EXPECT_TRUE(request_->responseComplete());
}

TEST_F(UpstreamRequestTest, ARetryFromAttemptFinishedRejectsTheResponseAndReplaysTheBodyToAnotherHost) {
  stream_.on_finished = [this](const sy_attempt_info& attempt) {
    if (attempt.outcome == SY_ATTEMPT_RESPONSE && attempt.status == 503) {
      EXPECT_EQ(request_->retry(0, true), SY_OK);
      EXPECT_EQ(request_->retry(0, true), SY_ERR_LIMIT);  // one pending retry at a time
    }
  };
  start(65536, /*with_body=*/true);
  std::string body = "hello";
  request_->sendBody(body, true);
  size_t first = waitingOn(0) == 1 ? 0 : 1;
  pools_[first]->connect().respond(503);
  EXPECT_EQ(stream_.events.back(), "finished 1 response 503");  // never reached the client
  EXPECT_EQ(waitingOn(1 - first), 0u);  // a retry waits for the loop, even with no delay
  runRetryTimer();
  ASSERT_EQ(waitingOn(1 - first), 1u);  // the host not tried yet
  FakeConnection& second = pools_[1 - first]->connect();
  EXPECT_NE(second.written.find("x-attempt: 2\r\n"), std::string::npos);
  EXPECT_EQ(second.written.substr(second.written.size() - 5), "hello");
  second.respond(200);
  EXPECT_EQ(stream_.events, (std::vector<std::string>{"started 1", "finished 1 response 503", "started 2",
                                                      "finished 2 response 200", "response 200",
                                                      "response complete"}));
}

TEST_F(UpstreamRequestTest, AHedgeAskedForInsideAHookStartsAfterItAndTheFirstResponseWins) {
  stream_.on_started = [this](const sy_attempt_info& attempt) {
    if (attempt.number == 1) {
      EXPECT_EQ(request_->startParallel(true), SY_OK);
      // Not started inside the hook that asked for it.
      EXPECT_EQ(request_->attemptCount(), 1u);
    }
  };
  start();
  EXPECT_EQ(stream_.events, (std::vector<std::string>{"started 1", "started 2 hedged"}));
  ASSERT_EQ(waitingOn(0), 1u);
  ASSERT_EQ(waitingOn(1), 1u);
  FakeConnection& first = pools_[0]->connect();
  FakeConnection& second = pools_[1]->connect();
  second.respond(200);
  EXPECT_EQ(stream_.events[2], "finished 2 response 200");
  EXPECT_EQ(stream_.events[3], "finished 1 cancelled");  // the loser, reported before the response moves on
  EXPECT_EQ(stream_.events[4], "response 200");
  EXPECT_TRUE(first.closed);  // a cancelled attempt's connection is never reused
  EXPECT_EQ(pools_[1]->released, 1);
}

TEST_F(UpstreamRequestTest, CancellingTheOnlyAttemptAsTimedOutFailsWith504AndUT) {
  start();
  pools_[waitingOn(0) == 1 ? 0 : 1]->connect();
  EXPECT_EQ(request_->cancel(0, SY_ATTEMPT_TIMED_OUT), SY_OK);
  EXPECT_EQ(stream_.events, (std::vector<std::string>{"started 1", "finished 1 timed_out", "failed 504"}));
  EXPECT_EQ(stream_.flags, std::vector<std::string>{"UT"});
  EXPECT_EQ(request_->cancel(0, SY_ATTEMPT_TIMED_OUT), SY_ERR_BAD_STATE);  // the request is over
  EXPECT_EQ(request_->cancel(0, SY_ATTEMPT_RESPONSE), SY_ERR_INVALID_ARGUMENT);
}

TEST_F(UpstreamRequestTest, ARefusedConnectionWithNothingElsePendingFailsWith503AndUF) {
  start();
  pools_[waitingOn(0) == 1 ? 0 : 1]->refuse();
  EXPECT_EQ(stream_.events, (std::vector<std::string>{"started 1", "finished 1 connect_failure", "failed 503"}));
  EXPECT_EQ(stream_.flags, std::vector<std::string>{"UF"});
}

TEST_F(UpstreamRequestTest, RejectingAResponseWithNothingToReplaceItIsRefusedAndTheResponseAccepted) {
  sy_result reject_result = SY_OK;
  stream_.on_finished = [&](const sy_attempt_info&) { reject_result = request_->rejectResponse(); };
  start();
  pools_[waitingOn(0) == 1 ? 0 : 1]->connect().respond(502);
  EXPECT_EQ(reject_result, SY_ERR_BAD_STATE);
  EXPECT_EQ(stream_.events.back(), "response complete");
  EXPECT_EQ(request_->rejectResponse(), SY_ERR_BAD_STATE);  // outside attempt_finished
}

TEST_F(UpstreamRequestTest, RejectingOneHedgedResponseWaitsForTheOther) {
  stream_.on_started = [this](const sy_attempt_info& attempt) {
    if (attempt.number == 1) request_->startParallel(true);
  };
  stream_.on_finished = [this](const sy_attempt_info& attempt) {
    if (attempt.outcome == SY_ATTEMPT_RESPONSE && attempt.status == 503) {
      EXPECT_EQ(request_->rejectResponse(), SY_OK);
    }
  };
  start();
  FakeConnection& first = pools_[0]->connect();
  FakeConnection& second = pools_[1]->connect();
  first.respond(503);
  EXPECT_EQ(stream_.events.back(), "finished 1 response 503");
  second.respond(200);
  EXPECT_EQ(stream_.events.back(), "response complete");
  EXPECT_EQ(pools_[0]->released, 1);  // the rejected, complete response kept its connection
}

TEST_F(UpstreamRequestTest, ACancelCalledFromAnotherAttemptsFinishedHookIsSafeAndEndsTheRequestOnce) {
  stream_.on_started = [this](const sy_attempt_info& attempt) {
    if (attempt.number == 1) request_->startParallel(true);
  };
  stream_.on_finished = [this](const sy_attempt_info& attempt) {
    // Re-entrant: attempt 2's hook cancels attempt 1, whose own report runs
    // inside this call.
    if (attempt.number == 2 && attempt.outcome == SY_ATTEMPT_RESET_BEFORE_HEADERS) {
      EXPECT_EQ(request_->cancel(1, SY_ATTEMPT_CANCELLED), SY_OK);
    }
  };
  start();
  pools_[0]->connect();
  pools_[1]->connect().reset();
  EXPECT_EQ(stream_.events, (std::vector<std::string>{"started 1", "started 2 hedged",
                                                      "finished 2 reset_before_headers", "finished 1 cancelled",
                                                      "failed 503"}));
  EXPECT_EQ(stream_.flags, std::vector<std::string>{"LR"});
}

TEST_F(UpstreamRequestTest, ClosingFromInsideAHookEndsEverythingWithoutAFailureReport) {
  // As a filter's local reply does from attempt_finished.
  stream_.on_finished = [this](const sy_attempt_info& attempt) {
    if (attempt.outcome == SY_ATTEMPT_RESPONSE) request_->close();
  };
  start();
  FakeConnection& connection = pools_[waitingOn(0) == 1 ? 0 : 1]->connect();
  connection.respond(500);
  EXPECT_EQ(stream_.events, (std::vector<std::string>{"started 1", "finished 1 response 500"}));
  EXPECT_TRUE(request_->closed());
  EXPECT_EQ(request_->retry(0, false), SY_ERR_BAD_STATE);
}

TEST_F(UpstreamRequestTest, WithoutReplayNothingCanBeSentAgain) {
  start(/*replay_buffer_bytes=*/0);
  EXPECT_FALSE(request_->replayKept());
  EXPECT_EQ(request_->retry(0, false), SY_ERR_NOT_REPLAYABLE);
  EXPECT_EQ(request_->startParallel(false), SY_ERR_NOT_REPLAYABLE);
}

TEST_F(UpstreamRequestTest, NoMatchingRouteStartsNothing) {
  request_ = std::make_unique<UpstreamRequest>(stream_, &loop_, *routes_, *config_, *clusters_, 65536);
  http::HeaderMap headers;
  headers.add(":method", "GET");
  headers.add(":path", "/elsewhere");
  headers.add(":authority", "svc");
  request_->selectRoute(headers);
  EXPECT_EQ(request_->route(), nullptr);
  EXPECT_FALSE(request_->start(headers, true, "10.0.0.1"));
  EXPECT_EQ(waitingOn(0) + waitingOn(1), 0u);
}

TEST_F(UpstreamRequestTest, AFilterChangingThePathReselectsTheRoute) {
  request_ = std::make_unique<UpstreamRequest>(stream_, &loop_, *routes_, *config_, *clusters_, 65536);
  http::HeaderMap headers;
  headers.add(":method", "GET");
  headers.add(":path", "/elsewhere");
  headers.add(":authority", "svc");
  request_->selectRoute(headers);
  ASSERT_EQ(request_->route(), nullptr);
  headers.set(":path", "/api/moved");  // as a request_headers hook may
  EXPECT_TRUE(request_->start(headers, true, "10.0.0.1"));
  ASSERT_NE(request_->route(), nullptr);
  EXPECT_EQ(waitingOn(0) + waitingOn(1), 1u);
}

}  // namespace

TEST_F(UpstreamRequestTest, AHostRefusedByAFilterIsSkippedForAnotherOne) {
  stream_.on_admit = [](const std::string& host, std::string* reason) {
    *reason = "host_max_requests";
    return host == "127.0.0.1:1001" ? SY_ADMIT_REFUSE_HOST : SY_ADMIT;
  };
  for (int i = 0; i < 4; ++i) {
    start();
    EXPECT_EQ(waitingOn(0), 0u);  // never the refused host
    ASSERT_EQ(waitingOn(1), 1u);
    pools_[1]->connect().respond(200);
    EXPECT_EQ(stream_.events.back(), "response complete");
    stream_.events.clear();
  }
}

TEST_F(UpstreamRequestTest, AnAttemptRefusedOnEveryHostEndsTheRequestOverloadedWithTheReason) {
  stream_.on_admit = [](const std::string&, std::string* reason) {
    *reason = "host_max_requests";
    return SY_ADMIT_REFUSE_HOST;
  };
  start();
  EXPECT_EQ(waitingOn(0) + waitingOn(1), 0u);  // nothing was sent
  ASSERT_EQ(stream_.events.size(), 3u);         // each host asked about once
  EXPECT_NE(stream_.events[0], stream_.events[1]);
  EXPECT_EQ(stream_.events[2], "overloaded host_max_requests");
  EXPECT_EQ(stream_.flags, std::vector<std::string>{"UO"});
  EXPECT_EQ(request_->attemptCount(), 0u);
  EXPECT_TRUE(request_->closed());
}

TEST_F(UpstreamRequestTest, AnAttemptRefusedOutrightAsksAboutNoOtherHost) {
  stream_.on_admit = [](const std::string&, std::string* reason) {
    *reason = "open";
    return SY_ADMIT_REFUSE_ATTEMPT;
  };
  start();
  ASSERT_EQ(stream_.events.size(), 2u);
  EXPECT_EQ(stream_.events[1], "overloaded open");
}

TEST_F(UpstreamRequestTest, ARefusedRetryWithNothingInFlightEndsOverloadedAndARefusedHedgeIsDropped) {
  // Attempt 1 admitted, its hedge refused: the request goes on with attempt 1.
  bool admitted_first = false;
  stream_.on_admit = [&admitted_first](const std::string&, std::string* reason) {
    if (!admitted_first) {
      admitted_first = true;
      return SY_ADMIT;
    }
    *reason = "max_retries";
    return SY_ADMIT_REFUSE_ATTEMPT;
  };
  stream_.on_started = [this](const sy_attempt_info&) { EXPECT_EQ(request_->startParallel(true), SY_OK); };
  stream_.on_finished = [this](const sy_attempt_info& attempt) {
    if (attempt.outcome == SY_ATTEMPT_RESPONSE && attempt.status == 503) {
      EXPECT_EQ(request_->retry(0, true), SY_OK);
    }
  };
  start();
  EXPECT_EQ(request_->attemptCount(), 1u);  // the hedge was refused and dropped
  EXPECT_FALSE(request_->closed());
  size_t first = waitingOn(0) == 1 ? 0 : 1;
  pools_[first]->connect().respond(503);
  runRetryTimer();  // the retry is refused: nothing else can answer
  EXPECT_EQ(stream_.events.back(), "overloaded max_retries");
  EXPECT_EQ(stream_.flags, std::vector<std::string>{"UO"});
}

}  // namespace switchyard::router
