#include "upstream/health_checker.h"

#include <optional>
#include <random>
#include <string>

#include "common/log.h"
#include "common/uv_util.h"
#include "upstream/health_check_state.h"

namespace switchyard::upstream {

namespace {

// A status line longer than this is no HTTP response worth reading on.
constexpr size_t kMaxStatusLineBytes = 1024;

// The status code of an HTTP/1.x status line, or -1.
int statusOfLine(std::string_view line) {
  if (line.size() < 12 || line.substr(0, 7) != "HTTP/1." || line[8] != ' ') return -1;
  int status = 0;
  for (size_t i = 9; i < 12; ++i) {
    if (line[i] < '0' || line[i] > '9') return -1;
    status = status * 10 + (line[i] - '0');
  }
  return status;
}

}  // namespace

class HealthChecker::HostProbe {
 public:
  // One probe's connection. Heap-allocated and freed by its close callback,
  // which libuv runs after the cancelled connect or write callbacks: those
  // find `probe` null and do nothing.
  struct Connection {
    uv_tcp_t socket{};
    uv_connect_t connect{};
    uv_write_t write{};
    std::string request;
    std::string response;
    HostProbe* probe = nullptr;
  };

  HostProbe(uv_loop_t* loop, const config::ClusterConfig& cluster, size_t host, ClusterHealth& health,
            const ClusterMembership& membership, OutlierDetector* outliers, std::mt19937_64& random)
      : cluster_(cluster),
        check_(*cluster.health_check),
        host_(host),
        health_(health),
        membership_(membership),
        outliers_(outliers),
        random_(random),
        state_(check_.healthy_threshold, check_.unhealthy_threshold),
        loop_(loop),
        timer_(new uv_timer_t) {
    uv_timer_init(loop, timer_);
    timer_->data = this;
    uv_timer_start(timer_, &HostProbe::onTimer, jitterMs(), 0);
  }

  ~HostProbe() {
    closeAndDelete(timer_);
    abandonConnection();
  }

 private:
  uint64_t jitterMs() {
    uint64_t most = check_.interval_jitter_ms + check_.interval_ms * check_.interval_jitter_percent / 100;
    return most == 0 ? 0 : std::uniform_int_distribution<uint64_t>(0, most)(random_);
  }

  // The timer waits out the interval, then (while a probe runs) its timeout.
  static void onTimer(uv_timer_t* timer) {
    auto* self = static_cast<HostProbe*>(timer->data);
    if (self->connection_ != nullptr) {
      self->finish(false, "timed out");
    } else {
      self->startProbe();
    }
  }

  // The slot's member now, or nullopt while it has none. The control loop
  // publishes the membership, so reading it here never waits on a worker.
  std::optional<config::EndpointConfig> currentMember() const { return membership_.snapshot()->slots[host_]; }

  void startProbe() {
    std::optional<config::EndpointConfig> member = currentMember();
    if (!member) {
      // No host to check; look again next interval.
      uv_timer_start(timer_, &HostProbe::onTimer, check_.interval_ms + jitterMs(), 0);
      return;
    }
    if (member->text != endpoint_.text) {
      // Another host in this slot (the membership reset its shared health):
      // its verdict starts over.
      state_.reset();
    }
    endpoint_ = *member;
    connection_ = new Connection;
    connection_->socket.data = connection_;
    connection_->probe = this;
    uv_tcp_init(loop_, &connection_->socket);
    uv_timer_start(timer_, &HostProbe::onTimer, check_.timeout_ms, 0);
    const auto& address = endpoint_.address;
    int rc = uv_tcp_connect(&connection_->connect, &connection_->socket, reinterpret_cast<const sockaddr*>(&address),
                            &HostProbe::onConnect);
    if (rc != 0) finish(false, uv_strerror(rc));
  }

  // The probe a connection's callback is for, or null once it was abandoned.
  static HostProbe* liveProbe(uv_handle_t* socket) { return static_cast<Connection*>(socket->data)->probe; }

  static void onConnect(uv_connect_t* request, int status) {
    HostProbe* self = liveProbe(reinterpret_cast<uv_handle_t*>(request->handle));
    if (self == nullptr) return;
    Connection* connection = self->connection_;
    if (status != 0) return self->finish(false, uv_strerror(status));
    if (!self->check_.http) return self->finish(true, "connected");
    connection->request = "GET " + self->check_.http_path + " HTTP/1.1\r\nHost: " + self->check_.http_host +
                          "\r\nUser-Agent: switchyard-health-check\r\nConnection: close\r\n\r\n";
    uv_buf_t buf = uv_buf_init(connection->request.data(), unsigned(connection->request.size()));
    auto* stream = reinterpret_cast<uv_stream_t*>(&connection->socket);
    int rc = uv_write(&connection->write, stream, &buf, 1, [](uv_write_t* write, int status) {
      HostProbe* probe = liveProbe(reinterpret_cast<uv_handle_t*>(write->handle));
      if (probe != nullptr && status != 0) probe->finish(false, uv_strerror(status));
    });
    if (rc == 0) rc = uv_read_start(stream, [](uv_handle_t*, size_t, uv_buf_t* out) { *out = threadReadBuffer(); },
                                    &HostProbe::onRead);
    if (rc != 0) self->finish(false, uv_strerror(rc));
  }

  static void onRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
    HostProbe* self = liveProbe(reinterpret_cast<uv_handle_t*>(stream));
    if (self == nullptr || nread == 0) return;
    Connection* connection = self->connection_;
    if (nread < 0) return self->finish(false, "closed before a status line");
    connection->response.append(buf->base, size_t(nread));
    size_t line_end = connection->response.find("\r\n");
    if (line_end == std::string::npos) {
      if (connection->response.size() > kMaxStatusLineBytes) self->finish(false, "no status line");
      return;
    }
    int status = statusOfLine(std::string_view(connection->response).substr(0, line_end));
    if (status < 0) return self->finish(false, "not an HTTP/1.x response");
    self->finish(self->expectedStatus(status), "status " + std::to_string(status));
  }

  bool expectedStatus(int status) const {
    for (const auto& range : check_.expected_statuses) {
      if (status >= range.start && status < range.end) return true;
    }
    return false;
  }

  void abandonConnection() {
    if (connection_ == nullptr) return;
    connection_->probe = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(&connection_->socket),
             [](uv_handle_t* handle) { delete static_cast<Connection*>(handle->data); });
    connection_ = nullptr;
  }

  void finish(bool passed, const std::string& detail) {
    abandonConnection();
    uv_timer_start(timer_, &HostProbe::onTimer, check_.interval_ms + jitterMs(), 0);
    std::optional<config::EndpointConfig> member = currentMember();
    // The host left while its probe ran: the result is about no member.
    if (!member || member->text != endpoint_.text) return;
    const std::string& address = endpoint_.text;
    cluster_.metrics->healthChecked(passed);
    SY_LOG(kDebug, "health check of %s in cluster '%s': %s (%s)", address.c_str(), cluster_.name.c_str(),
           passed ? "passed" : "failed", detail.c_str());
    if (state_.onProbeResult(passed)) {
      if (state_.healthy()) {
        health_.clearFlag(host_, HostHealthFlag::kFailedActiveCheck);
        SY_LOG(kInfo, "cluster '%s': %s passed %u health checks in a row; back in rotation",
               cluster_.name.c_str(), address.c_str(), check_.healthy_threshold);
      } else {
        health_.setFlag(host_, HostHealthFlag::kFailedActiveCheck);
        SY_LOG(kWarn, "cluster '%s': %s failed %u health checks in a row (last: %s); out of rotation",
               cluster_.name.c_str(), address.c_str(), check_.unhealthy_threshold, detail.c_str());
      }
    }
    health_.host(host_).check_state.store(state_.state(), std::memory_order_relaxed);
    if (passed && outliers_ != nullptr) outliers_->onActiveCheckPassed(host_, monotonicNowMs());
  }

  const config::ClusterConfig& cluster_;
  const config::HealthCheckConfig& check_;
  const size_t host_;
  ClusterHealth& health_;
  const ClusterMembership& membership_;
  OutlierDetector* const outliers_;
  std::mt19937_64& random_;
  HealthCheckState state_;  // of the host at endpoint_
  config::EndpointConfig endpoint_;  // the host the last probe went to (empty text before the first)
  uv_loop_t* const loop_;
  uv_timer_t* timer_;
  Connection* connection_ = nullptr;  // while a probe runs
};

HealthChecker::HealthChecker(uv_loop_t* loop, const config::ClusterConfig& cluster, ClusterHealth& health,
                             const ClusterMembership& membership, OutlierDetector* outliers, uint64_t seed)
    : random_(seed) {
  for (size_t host = 0; host < membership.slotCount(); ++host) {
    probes_.push_back(std::make_unique<HostProbe>(loop, cluster, host, health, membership, outliers, random_));
  }
}

HealthChecker::~HealthChecker() = default;

}  // namespace switchyard::upstream
