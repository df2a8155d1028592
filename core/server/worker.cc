#include "server/worker.h"

#include <sys/socket.h>
#include <unistd.h>

#include <atomic>

#include "common/log.h"
#include "common/uv_util.h"
#include "module/host_api.h"
#include "server/downstream_connection.h"
#include "server/stream.h"

namespace switchyard::server {

namespace {
constexpr int kListenBacklog = 1024;
}

Worker::Worker(uv_loop_t* loop, std::shared_ptr<const ServingConfig> serving)
    : loop_(loop),
      serving_(std::move(serving)),
      clusters_(loop, *serving_->proxy, *serving_->health, *serving_->memberships),
      http_calls_(loop, serving_->proxy, clusters_),
      memory_release_(loop),
      deferred_check_(new uv_check_t) {
  uv_check_init(loop_, deferred_check_);
  deferred_check_->data = this;
  uv_unref(reinterpret_cast<uv_handle_t*>(deferred_check_));
}

Worker::~Worker() {
  flushDeferred();
  closeAndDelete(deferred_check_);
  closeAndDelete(drain_timer_);
  for (auto& listener : listeners_) closeAndDelete(listener->handle);
}

uint64_t Worker::nextStreamId() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

bool Worker::startListening(const std::vector<int>& listen_fds, std::string* error) {
  for (size_t i = 0; i < listen_fds.size(); ++i) {
    auto listener = std::make_unique<Listener>(Listener{this, &serving_->listeners[i], new uv_tcp_t});
    uv_tcp_init(loop_, listener->handle);
    listener->handle->data = listener.get();
    int rc = uv_tcp_open(listener->handle, listen_fds[i]);
    if (rc == 0) rc = uv_listen(reinterpret_cast<uv_stream_t*>(listener->handle), kListenBacklog, &Worker::onAccept);
    listeners_.push_back(std::move(listener));
    if (rc != 0) {
      *error = "listener '" + serving_->listeners[i].config->name + "': " + uv_strerror(rc);
      return false;
    }
  }
  return true;
}

void Worker::onAccept(uv_stream_t* server, int status) {
  auto* listener = static_cast<Listener*>(server->data);
  Worker& worker = *listener->worker;
  if (status != 0 || worker.draining_) return;
  auto* connection = new DownstreamConnection(worker, *listener->config);
  if (uv_accept(server, connection->socket()) != 0) {
    // Another worker took it (SO_REUSEPORT siblings share nothing, but a
    // spurious wakeup is harmless).
    worker.connections_.insert(connection);
    connection->close();
    return;
  }
  worker.connections_.insert(connection);
  worker.memory_release_.onConnectionCount(worker.connections_.size());
  connection->start();
}

void Worker::acceptQueued(Listener& listener) {
  // The kernel completes handshakes before the proxy accepts them; closing
  // the listening socket would reset every connection still in its queue,
  // requests already sent on them included. Take them instead: the drain
  // below answers whatever request each one carries, with Connection:
  // close, and closes the others gracefully.
  uv_os_fd_t listen_fd;
  if (uv_fileno(reinterpret_cast<uv_handle_t*>(listener.handle), &listen_fd) != 0) return;
  for (;;) {
    int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN: the queue is empty
    auto* connection = new DownstreamConnection(*this, *listener.config);
    connections_.insert(connection);
    if (uv_tcp_open(reinterpret_cast<uv_tcp_t*>(connection->socket()), fd) != 0) {
      ::close(fd);
      connection->close();
      continue;
    }
    connection->start();
  }
}

void Worker::deferDelete(std::unique_ptr<Stream> stream) {
  if (!stream) return;
  deferred_.push_back(std::move(stream));
  if (!uv_is_active(reinterpret_cast<uv_handle_t*>(deferred_check_))) {
    uv_check_start(deferred_check_, [](uv_check_t* check) {
      auto* worker = static_cast<Worker*>(check->data);
      worker->flushDeferred();
    });
  }
}

void Worker::flushDeferred() {
  while (!deferred_.empty()) {
    auto batch = std::move(deferred_);
    deferred_.clear();
    batch.clear();  // destructors may defer more
  }
  if (deferred_check_ != nullptr && !uv_is_closing(reinterpret_cast<uv_handle_t*>(deferred_check_))) {
    uv_check_stop(deferred_check_);
  }
}

void Worker::onConnectionClosed(DownstreamConnection* connection) {
  connections_.erase(connection);
  memory_release_.onConnectionCount(connections_.size());
  finishDrainIfDone();
}

void Worker::drain(uint64_t timeout_ms, std::function<void()> on_done) {
  draining_ = true;
  on_drained_ = std::move(on_done);
  for (auto& listener : listeners_) {
    acceptQueued(*listener);
    closeAndDelete(listener->handle);
  }
  listeners_.clear();
  clusters_.closeIdleConnections();
  drain_timer_ = new uv_timer_t;
  uv_timer_init(loop_, drain_timer_);
  drain_timer_->data = this;
  uv_timer_start(drain_timer_, [](uv_timer_t* timer) {
    auto* worker = static_cast<Worker*>(timer->data);
    SY_LOG(kWarn, "drain deadline reached with %zu connection(s) open; closing them",
           worker->connections_.size());
    auto open = worker->connections_;
    for (DownstreamConnection* connection : open) connection->close();
  }, timeout_ms, 0);
  auto open = connections_;
  for (DownstreamConnection* connection : open) connection->drain();
  finishDrainIfDone();
}

void Worker::finishDrainIfDone() {
  if (!draining_ || !connections_.empty() || !on_drained_) return;
  flushDeferred();
  clusters_.closeIdleConnections();
  if (drain_timer_ != nullptr) uv_timer_stop(drain_timer_);
  for (module::FilterTimer* timer : module_timers_) module::closeTimer(timer);
  module_timers_.clear();
  http_calls_.shutdown();
  auto done = std::move(on_drained_);
  on_drained_ = nullptr;
  done();
}

}  // namespace switchyard::server
