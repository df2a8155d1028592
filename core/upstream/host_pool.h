// HostPool: the keep-alive connection pool for one upstream endpoint on one
// worker. It reuses idle connections (most recently used first), opens new
// ones up to max_connections, queues requests beyond that, and closes idle
// connections after the cluster's idle timeout.
#pragma once

#include <uv.h>

#include <cstdint>
#include <list>
#include <string>

#include "config/proxy_config.h"
#include "upstream/cluster_health.h"
#include "upstream/upstream_connection.h"

namespace switchyard::upstream {

class HostPool final : public ConnectionPool {
 public:
  // `shared_host` counts this pool's connections with the other workers'.
  HostPool(uv_loop_t* loop, const config::ClusterConfig& cluster, const config::EndpointConfig& endpoint,
           HostHealth& shared_host, size_t max_response_headers_bytes);
  ~HostPool();

  // Asks for a connection. The answer may come before this returns (an idle
  // connection) or later; call cancel() to withdraw the request.
  void request(PoolCallbacks& callbacks) override;
  // The same, but never an idle connection: for a request whose reused
  // connection proved stale (the other idle ones may be too).
  void requestNew(PoolCallbacks& callbacks) override;
  void cancel(PoolCallbacks& callbacks) override;
  // A borrowed connection comes back after its response.
  void release(PooledConnection& connection) override;
  // Closes idle connections (drain) and refuses to keep new ones.
  void closeIdle() override;
  void setDraining(bool draining) override;

  const config::EndpointConfig& endpoint() const override { return endpoint_; }
  uint32_t activeConnections() const { return active_connections_; }
  size_t pendingRequests() const { return waiting_.size(); }

  // From UpstreamConnection.
  void onConnected(UpstreamConnection& connection);
  void onConnectFailed(UpstreamConnection& connection, const std::string& reason);
  void onIdleConnectionClosed(UpstreamConnection& connection);
  void onConnectionGone(UpstreamConnection& connection);

 private:
  struct Idle {
    UpstreamConnection* connection;
    uv_timer_t* idle_timer;
  };
  struct Connecting {
    UpstreamConnection* connection;
    PoolCallbacks* callbacks;  // null if its requester cancelled
  };

  void connectNew(PoolCallbacks& callbacks);
  void handOut(UpstreamConnection& connection, PoolCallbacks& callbacks, bool reused);
  void removeIdle(UpstreamConnection& connection);

  uv_loop_t* loop_;
  const config::ClusterConfig& cluster_;
  const config::EndpointConfig& endpoint_;
  HostHealth& shared_host_;
  const size_t max_response_headers_bytes_;
  uint32_t active_connections_ = 0;  // connecting + busy + idle
  std::list<Idle> idle_;
  std::list<Connecting> connecting_;
  std::list<PoolCallbacks*> waiting_;
  std::list<PoolCallbacks*> failing_;  // waiters being told of a connect failure
  bool closing_ = false;
  bool draining_ = false;  // its host left the cluster: keep nothing idle
};

}  // namespace switchyard::upstream
