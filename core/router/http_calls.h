// HttpCalls: one worker's outbound HTTP calls (sy_host_api.http_call, ABI
// 1.4). It picks each call's host — the cluster's load balancer over its
// healthy hosts only: a call to a cluster in panic mode fails rather than
// load a host that looks down — starts the call over that host's pool,
// keeps the calls in flight, and ends every one of them with "shutdown"
// when the worker stops, so that modules can free what they gave them.
//
// It holds the compiled config its calls were started from, so that a new
// config cannot free a cluster under a call in flight.
#pragma once

#include <switchyard/filter.h>
#include <uv.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <random>
#include <unordered_set>

#include "config/proxy_config.h"
#include "module/http_call_spec.h"
#include "upstream/cluster_manager.h"

namespace switchyard::router {

class HttpCall;

class HttpCalls {
 public:
  // A worker runs at most this many calls at once; more end with "overflow".
  static constexpr size_t kMaxCallsInFlight = 1024;

  HttpCalls(uv_loop_t* loop, std::shared_ptr<const config::ProxyConfig> config,
            upstream::ClusterManager& clusters);
  // Ends what is still in flight with "shutdown".
  ~HttpCalls();
  HttpCalls(const HttpCalls&) = delete;
  HttpCalls& operator=(const HttpCalls&) = delete;

  // Null after shutdown(). The call forgets itself here when it ends or
  // is cancelled (module::OutboundCall::cancel).
  module::OutboundCall* start(module::HttpCallSpec&& spec, sy_http_call_done_fn done, void* user_data);
  // The worker stopped: every call in flight ends with "shutdown" and
  // start() refuses new ones.
  void shutdown();
  size_t inFlight() const { return calls_.size(); }

 private:
  // The balancer's pick among the healthy hosts; none when the cluster has
  // no healthy member.
  std::optional<size_t> healthyHost(upstream::ClusterState& cluster);

  uv_loop_t* loop_;
  std::shared_ptr<const config::ProxyConfig> config_;
  upstream::ClusterManager& clusters_;
  std::unordered_set<HttpCall*> calls_;
  std::mt19937_64 random_;
  bool stopped_ = false;
};

}  // namespace switchyard::router
