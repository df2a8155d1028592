// Worker: one event loop's share of the proxy — its listening sockets
// (SO_REUSEPORT siblings of the other workers'), its client connections, and
// its upstream pools. Everything a worker owns is touched only from its own
// loop, so the request path takes no locks.
#pragma once

#include <uv.h>

#include <functional>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "module/stream_services.h"
#include "router/http_calls.h"
#include "server/memory_release.h"
#include "server/serving_config.h"
#include "upstream/cluster_manager.h"

namespace switchyard::module {
struct FilterTimer;
}

namespace switchyard::server {

class DownstreamConnection;
class Stream;

class Worker final : public module::WorkerServices {
 public:
  Worker(uv_loop_t* loop, std::shared_ptr<const ServingConfig> serving);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Starts accepting on already-listening sockets, one per listener in
  // config order. The worker takes ownership of the descriptors.
  bool startListening(const std::vector<int>& listen_fds, std::string* error);
  // Stops accepting, lets in-flight requests finish, and calls `on_done`
  // once every connection closed or `timeout_ms` passed.
  void drain(uint64_t timeout_ms, std::function<void()> on_done);

  uv_loop_t* loop() const override { return loop_; }
  const config::ProxyConfig& config() const { return *serving_->proxy; }
  upstream::ClusterManager& clusters() { return clusters_; }
  bool draining() const { return draining_; }
  static uint64_t nextStreamId();

  // Streams end inside callbacks that still reference them; they are deleted
  // after the current loop iteration's callbacks.
  void deferDelete(std::unique_ptr<Stream> stream);
  void onConnectionClosed(DownstreamConnection* connection);
  // Module worker timers: closed when the drain ends, so that a timer a
  // module keeps re-arming cannot keep the loop (and the process) alive.
  void adoptModuleTimer(module::FilterTimer* timer) override { module_timers_.push_back(timer); }
  void forgetModuleTimer(module::FilterTimer* timer) override { std::erase(module_timers_, timer); }
  // Modules' outbound HTTP calls; those in flight when the drain ends end
  // with "shutdown".
  module::OutboundCall* startHttpCall(module::HttpCallSpec&& spec, sy_http_call_done_fn done,
                                      void* user_data) override {
    return http_calls_.start(std::move(spec), done, user_data);
  }

 private:
  struct Listener {
    Worker* worker;
    const ServingListener* config;
    uv_tcp_t* handle;
  };
  static void onAccept(uv_stream_t* server, int status);
  // Accepts what waits in the listener's queue (before it closes).
  void acceptQueued(Listener& listener);
  void flushDeferred();
  void finishDrainIfDone();

  uv_loop_t* loop_;
  std::vector<module::FilterTimer*> module_timers_;
  std::shared_ptr<const ServingConfig> serving_;
  upstream::ClusterManager clusters_;
  router::HttpCalls http_calls_;  // after clusters_: its calls borrow their pools
  std::vector<std::unique_ptr<Listener>> listeners_;
  std::unordered_set<DownstreamConnection*> connections_;
  MemoryRelease memory_release_;
  std::vector<std::unique_ptr<Stream>> deferred_;
  uv_check_t* deferred_check_;
  uv_timer_t* drain_timer_ = nullptr;
  bool draining_ = false;
  std::function<void()> on_drained_;
};

}  // namespace switchyard::server
