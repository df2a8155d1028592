// FilterPipeline: hook order, stop/continue, stop-and-buffer and the end of
// stream, with scripted hook results instead of real modules.
#include "server/filter_pipeline.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace switchyard::server {
namespace {

struct ScriptedInvoker : FilterPipelineInvoker {
  std::vector<std::string> calls;
  std::function<sy_filter_status(size_t, std::string&, bool)> body_result =
      [](size_t, std::string&, bool) { return SY_FILTER_CONTINUE; };
  std::function<sy_filter_status(size_t)> headers_result = [](size_t) { return SY_FILTER_CONTINUE; };
  std::string sunk_body;
  bool sunk_headers = false;
  bool sunk_end = false;
  bool overflowed = false;

  sy_filter_status invokeHeaders(size_t position, http::HeaderMap&, bool) override {
    calls.push_back(std::string("h").append(std::to_string(position)));
    return headers_result(position);
  }
  sy_filter_status invokeBody(size_t position, std::string& body, bool end) override {
    calls.push_back(std::string("b").append(std::to_string(position)).append(":").append(body).append(end ? "$" : ""));
    return body_result(position, body, end);
  }
  sy_filter_status invokeTrailers(size_t position, http::HeaderMap&) override {
    calls.push_back(std::string("t").append(std::to_string(position)));
    return SY_FILTER_CONTINUE;
  }
  void sinkHeaders(http::HeaderMap&, bool end) override {
    sunk_headers = true;
    sunk_end = sunk_end || end;
  }
  void sinkBody(std::string& body, bool end) override {
    sunk_body += body;
    sunk_end = sunk_end || end;
  }
  void sinkTrailers(http::HeaderMap&) override { sunk_end = true; }
  void bufferOverflow() override { overflowed = true; }
};

TEST(FilterPipeline, EveryFilterSeesHeadersThenBodyInOrder) {
  ScriptedInvoker invoker;
  FilterPipeline pipeline(invoker, 2, 1 << 20);
  pipeline.receiveHeaders({}, false);
  pipeline.receiveBody("ab", false);
  pipeline.receiveBody("c", true);
  EXPECT_EQ(invoker.calls, (std::vector<std::string>{"h0", "h1", "b0:ab", "b1:ab", "b0:c$", "b1:c$"}));
  EXPECT_EQ(invoker.sunk_body, "abc");
  EXPECT_TRUE(invoker.sunk_end);
}

TEST(FilterPipeline, StoppedHeadersHoldTheBodyUntilContinue) {
  ScriptedInvoker invoker;
  invoker.headers_result = [](size_t position) { return position == 0 ? SY_FILTER_STOP_ITERATION : SY_FILTER_CONTINUE; };
  FilterPipeline pipeline(invoker, 2, 1 << 20);
  pipeline.receiveHeaders({}, false);
  pipeline.receiveBody("xyz", true);
  EXPECT_FALSE(invoker.sunk_headers);
  EXPECT_EQ(pipeline.heldBytes(), 3u);
  EXPECT_EQ(pipeline.resume(0), SY_OK);
  EXPECT_TRUE(invoker.sunk_headers);
  EXPECT_EQ(invoker.sunk_body, "xyz");
  EXPECT_TRUE(invoker.sunk_end);
  EXPECT_EQ(pipeline.resume(0), SY_ERR_BAD_STATE) << "nothing is stopped any more";
}

TEST(FilterPipeline, StopAndBufferSeesTheWholeBodyAtTheEnd) {
  ScriptedInvoker invoker;
  invoker.body_result = [](size_t position, std::string&, bool end) {
    return position == 1 && !end ? SY_FILTER_STOP_AND_BUFFER : SY_FILTER_CONTINUE;
  };
  FilterPipeline pipeline(invoker, 2, 1 << 20);
  pipeline.receiveHeaders({}, false);
  pipeline.receiveBody("ab", false);
  pipeline.receiveBody("cd", false);
  EXPECT_EQ(invoker.sunk_body, "");
  pipeline.receiveBody("e", true);
  EXPECT_EQ(invoker.calls.back(), "b1:abcde$");
  EXPECT_EQ(invoker.sunk_body, "abcde");
}

TEST(FilterPipeline, BufferingPastTheLimitOverflows) {
  ScriptedInvoker invoker;
  invoker.body_result = [](size_t, std::string&, bool) { return SY_FILTER_STOP_AND_BUFFER; };
  FilterPipeline pipeline(invoker, 1, 4);
  pipeline.receiveHeaders({}, false);
  pipeline.receiveBody("abc", false);
  EXPECT_FALSE(invoker.overflowed);
  pipeline.receiveBody("de", false);
  EXPECT_TRUE(invoker.overflowed);
}

TEST(FilterPipeline, BodyStoppedAtOneFilterKeepsLaterDataBehindIt) {
  ScriptedInvoker invoker;
  invoker.body_result = [](size_t position, std::string&, bool) {
    return position == 1 ? SY_FILTER_STOP_ITERATION : SY_FILTER_CONTINUE;
  };
  FilterPipeline pipeline(invoker, 2, 1 << 20);
  pipeline.receiveHeaders({}, false);
  pipeline.receiveBody("ab", false);
  pipeline.receiveBody("cd", true);
  EXPECT_EQ(invoker.sunk_body, "");
  invoker.body_result = [](size_t, std::string&, bool) { return SY_FILTER_CONTINUE; };
  EXPECT_EQ(pipeline.resume(1), SY_OK);
  EXPECT_EQ(invoker.sunk_body, "abcd");
  EXPECT_TRUE(invoker.sunk_end);
}

TEST(FilterPipeline, TrailersFollowTheBody) {
  ScriptedInvoker invoker;
  FilterPipeline pipeline(invoker, 1, 1 << 20);
  pipeline.receiveHeaders({}, false);
  pipeline.receiveBody("a", false);
  pipeline.receiveTrailers({});
  EXPECT_EQ(invoker.calls.back(), "t0");
  EXPECT_TRUE(invoker.sunk_end);
}

// A pacing filter (stream_release_response_body) lets part of what it holds
// through while it stays stopped: it is not called for what passes, later
// filters are, and the end waits behind it until it continues.
TEST(FilterPipeline, ReleasePassesPartOfTheHeldBodyAndStaysStopped) {
  ScriptedInvoker invoker;
  invoker.body_result = [](size_t position, std::string&, bool) {
    return position == 0 ? SY_FILTER_STOP_ITERATION : SY_FILTER_CONTINUE;
  };
  FilterPipeline pipeline(invoker, 2, 1 << 20);
  pipeline.receiveHeaders({}, false);
  pipeline.receiveBody("abcdef", false);
  pipeline.receiveBody("gh", true);
  EXPECT_EQ(invoker.calls, (std::vector<std::string>{"h0", "h1", "b0:abcdef"}))
      << "stopped: not called for gh";
  size_t released = 0, still_held = 0;
  EXPECT_EQ(pipeline.release(0, 4, &released, &still_held), SY_OK);
  EXPECT_EQ(released, 4u);
  EXPECT_EQ(still_held, 4u);
  EXPECT_EQ(invoker.sunk_body, "abcd");
  EXPECT_EQ(invoker.calls.back(), "b1:abcd") << "the filter after it sees what passed";
  EXPECT_FALSE(invoker.sunk_end) << "the end stays behind the stopped filter";
  EXPECT_EQ(pipeline.release(0, 100, &released, &still_held), SY_OK);
  EXPECT_EQ(released, 4u);
  EXPECT_EQ(still_held, 0u);
  EXPECT_EQ(invoker.sunk_body, "abcdefgh");
  EXPECT_FALSE(invoker.sunk_end);
  EXPECT_EQ(pipeline.release(0, 100, &released, &still_held), SY_OK);
  EXPECT_EQ(released, 0u) << "nothing held: nothing passes";
  EXPECT_EQ(pipeline.resume(0), SY_OK);
  EXPECT_TRUE(invoker.sunk_end);
  EXPECT_EQ(invoker.sunk_body, "abcdefgh");
  EXPECT_EQ(pipeline.heldBytes(), 0u);
}

TEST(FilterPipeline, AfterReleasingEverythingAndContinuingTheFilterSeesNewData) {
  ScriptedInvoker invoker;
  invoker.body_result = [](size_t, std::string&, bool end) {
    return end ? SY_FILTER_CONTINUE : SY_FILTER_STOP_ITERATION;
  };
  FilterPipeline pipeline(invoker, 1, 1 << 20);
  pipeline.receiveHeaders({}, false);
  pipeline.receiveBody("ab", false);
  size_t released = 0, still_held = 0;
  ASSERT_EQ(pipeline.release(0, 2, &released, &still_held), SY_OK);
  ASSERT_EQ(pipeline.resume(0), SY_OK);
  pipeline.receiveBody("cd", false);
  EXPECT_EQ(invoker.calls.back(), "b0:cd") << "called again for new data, and stops again";
  EXPECT_EQ(invoker.sunk_body, "ab");
  ASSERT_EQ(pipeline.release(0, 1, &released, &still_held), SY_OK);
  EXPECT_EQ(invoker.sunk_body, "abc");
  EXPECT_EQ(still_held, 1u);
}

TEST(FilterPipeline, ReleaseIsRefusedUnlessStoppedOnTheBody) {
  ScriptedInvoker invoker;
  invoker.headers_result = [](size_t position) {
    return position == 1 ? SY_FILTER_STOP_ITERATION : SY_FILTER_CONTINUE;
  };
  invoker.body_result = [](size_t, std::string&, bool) { return SY_FILTER_STOP_AND_BUFFER; };
  FilterPipeline pipeline(invoker, 2, 1 << 20);
  size_t released = 7, still_held = 7;
  pipeline.receiveHeaders({}, false);
  EXPECT_EQ(pipeline.release(1, 10, &released, &still_held), SY_ERR_BAD_STATE) << "stopped on headers";
  EXPECT_EQ(pipeline.release(0, 10, &released, &still_held), SY_ERR_BAD_STATE) << "not stopped";
  ASSERT_EQ(pipeline.resume(1), SY_OK);
  pipeline.receiveBody("ab", false);
  EXPECT_EQ(pipeline.release(0, 10, &released, &still_held), SY_ERR_BAD_STATE) << "buffering, not stopped";
  EXPECT_EQ(pipeline.release(2, 10, &released, &still_held), SY_ERR_BAD_STATE) << "no such filter";
  EXPECT_EQ(released, 7u) << "outputs untouched on refusal";
  pipeline.cancel();
  EXPECT_EQ(pipeline.release(0, 10, &released, &still_held), SY_ERR_BAD_STATE);
}

}  // namespace
}  // namespace switchyard::server
