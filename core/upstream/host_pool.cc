#include "upstream/host_pool.h"

#include <algorithm>

#include "common/uv_util.h"
#include "stats/core_metrics.h"

namespace switchyard::upstream {

HostPool::HostPool(uv_loop_t* loop, const config::ClusterConfig& cluster, const config::EndpointConfig& endpoint,
                   HostHealth& shared_host, size_t max_response_headers_bytes)
    : loop_(loop),
      cluster_(cluster),
      endpoint_(endpoint),
      shared_host_(shared_host),
      max_response_headers_bytes_(max_response_headers_bytes) {}

HostPool::~HostPool() {
  closing_ = true;
  closeIdle();
  auto connecting = std::move(connecting_);
  for (auto& entry : connecting) entry.connection->close();
}

void HostPool::request(PoolCallbacks& callbacks) {
  if (!idle_.empty()) {
    Idle idle = idle_.front();
    idle_.pop_front();
    cluster_.counters->idle_connections.fetch_sub(1, std::memory_order_relaxed);
    closeAndDelete(idle.idle_timer);
    stats::recordMetric(stats::CoreMetrics::get().upstream_cx_reused);
    cluster_.metrics->connectionReused();
    handOut(*idle.connection, callbacks, true);
    return;
  }
  if (active_connections_ < cluster_.max_connections) {
    connectNew(callbacks);
    return;
  }
  waiting_.push_back(&callbacks);
}

void HostPool::requestNew(PoolCallbacks& callbacks) {
  if (active_connections_ < cluster_.max_connections) {
    connectNew(callbacks);
  } else {
    waiting_.push_back(&callbacks);
  }
}

void HostPool::cancel(PoolCallbacks& callbacks) {
  waiting_.remove(&callbacks);
  failing_.remove(&callbacks);
  for (auto& entry : connecting_) {
    // The connection keeps going and joins the idle list when it connects.
    if (entry.callbacks == &callbacks) entry.callbacks = nullptr;
  }
}

void HostPool::connectNew(PoolCallbacks& callbacks) {
  ++active_connections_;
  cluster_.metrics->connectionOpened();
  cluster_.counters->active_connections.fetch_add(1, std::memory_order_relaxed);
  shared_host_.active_connections.fetch_add(1, std::memory_order_relaxed);
  auto* connection = new UpstreamConnection(*this, loop_, max_response_headers_bytes_);
  connecting_.push_back(Connecting{connection, &callbacks});
  connection->connect(endpoint_.address, cluster_.connect_timeout_ms);
}

void HostPool::handOut(UpstreamConnection& connection, PoolCallbacks& callbacks, bool reused) {
  callbacks.onPoolReady(connection, reused);
}

void HostPool::onConnected(UpstreamConnection& connection) {
  auto it = std::find_if(connecting_.begin(), connecting_.end(),
                         [&](const Connecting& c) { return c.connection == &connection; });
  if (it == connecting_.end()) return;
  PoolCallbacks* callbacks = it->callbacks;
  connecting_.erase(it);
  if (callbacks == nullptr && !waiting_.empty()) {
    callbacks = waiting_.front();
    waiting_.pop_front();
  }
  if (callbacks == nullptr) {
    release(connection);
    return;
  }
  handOut(connection, *callbacks, false);
}

void HostPool::onConnectFailed(UpstreamConnection& connection, const std::string& reason) {
  cluster_.metrics->connectFailed();
  auto it = std::find_if(connecting_.begin(), connecting_.end(),
                         [&](const Connecting& c) { return c.connection == &connection; });
  PoolCallbacks* callbacks = nullptr;
  if (it != connecting_.end()) {
    callbacks = it->callbacks;
    connecting_.erase(it);
  }
  connection.close();
  std::string message = "upstream connect error to " + endpoint_.text + ": " + reason;
  if (callbacks != nullptr) callbacks->onPoolFailure(UpstreamFailure::kConnectFailure, message);
  // Requests queued behind the limit would fail the same way.
  // Those that ask again from inside a failure callback are not failed with
  // them, and one that a callback cancels (or destroys) is not called.
  if (connecting_.empty()) {
    failing_.splice(failing_.end(), waiting_);
    while (!failing_.empty()) {
      PoolCallbacks* waiter = failing_.front();
      failing_.pop_front();
      waiter->onPoolFailure(UpstreamFailure::kConnectFailure, message);
    }
  }
}

void HostPool::release(PooledConnection& lent) {
  // Every connection this pool lends is one of its own.
  auto& connection = static_cast<UpstreamConnection&>(lent);
  connection.detach();
  if (closing_ || !connection.reusable()) {
    connection.close();
    return;
  }
  if (!waiting_.empty()) {
    PoolCallbacks* callbacks = waiting_.front();
    waiting_.pop_front();
    handOut(connection, *callbacks, true);
    return;
  }
  if (draining_) {
    connection.close();
    return;
  }
  auto* timer = new uv_timer_t;
  uv_timer_init(loop_, timer);
  timer->data = this;
  idle_.push_front(Idle{&connection, timer});
  cluster_.counters->idle_connections.fetch_add(1, std::memory_order_relaxed);
  if (cluster_.idle_timeout_ms > 0) {
    uv_timer_start(timer, [](uv_timer_t* t) {
      auto* pool = static_cast<HostPool*>(t->data);
      auto idle = std::find_if(pool->idle_.begin(), pool->idle_.end(),
                               [&](const Idle& i) { return i.idle_timer == t; });
      if (idle != pool->idle_.end()) idle->connection->close();
    }, cluster_.idle_timeout_ms, 0);
  }
  connection.watchWhileIdle();
}

void HostPool::removeIdle(UpstreamConnection& connection) {
  auto it = std::find_if(idle_.begin(), idle_.end(), [&](const Idle& i) { return i.connection == &connection; });
  if (it == idle_.end()) return;
  closeAndDelete(it->idle_timer);
  idle_.erase(it);
  cluster_.counters->idle_connections.fetch_sub(1, std::memory_order_relaxed);
}

void HostPool::onIdleConnectionClosed(UpstreamConnection& connection) { connection.close(); }

void HostPool::onConnectionGone(UpstreamConnection& connection) {
  removeIdle(connection);
  --active_connections_;
  cluster_.counters->active_connections.fetch_sub(1, std::memory_order_relaxed);
  shared_host_.active_connections.fetch_sub(1, std::memory_order_relaxed);
  // A slot opened: start a connection for the longest-waiting request.
  if (!closing_ && !waiting_.empty() && active_connections_ < cluster_.max_connections) {
    PoolCallbacks* callbacks = waiting_.front();
    waiting_.pop_front();
    connectNew(*callbacks);
  }
}

void HostPool::closeIdle() {
  while (!idle_.empty()) idle_.front().connection->close();
}

void HostPool::setDraining(bool draining) {
  draining_ = draining;
  if (draining_) closeIdle();
}

}  // namespace switchyard::upstream
