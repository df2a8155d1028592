// The embedding API (include/switchyard/embed.h): a proxy instance that owns
// its config, its modules, its workers (on the caller's loop or on threads)
// and the admin endpoint.
#include <signal.h>
#include <switchyard/embed.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "admin/admin_server.h"
#include "common/log.h"
#include "common/uv_util.h"
#include "config/config_loader.h"
#include "module/host_api.h"
#include "module/module_loader.h"
#include "server/admin_endpoints.h"
#include "server/listen_socket.h"
#include "server/serving_config.h"
#include "stats/stats_admin.h"
#include "server/worker.h"
#include "upstream/cluster_discovery.h"
#include "upstream/cluster_report.h"
#include "upstream/health_supervisor.h"

using namespace switchyard;

namespace {

std::string joinLines(const std::vector<std::string>& lines) {
  std::string joined;
  for (const auto& line : lines) {
    if (!joined.empty()) joined += "\n";
    joined += line;
  }
  return joined;
}

// A module's report value as the admin API shows it: a count as a number,
// anything else as the text it is.
upstream::ReportField::Value reportValue(const std::string& text) {
  bool count = !text.empty() && text.size() <= 18 &&
               std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (count) return int64_t(std::stoll(text));
  return text;
}

// One worker thread with its own loop. Control reaches it through `command`.
struct WorkerThread {
  sy_proxy* proxy = nullptr;
  uv_thread_t thread{};
  uv_loop_t loop{};
  uv_async_t command{};
  std::vector<int> listen_fds;
  std::unique_ptr<server::Worker> worker;
  std::atomic<bool> drain_requested{false};
  uint64_t drain_timeout_ms = 0;
};

}  // namespace

struct sy_proxy {
  uv_loop_t* loop = nullptr;
  uint32_t concurrency = 0;
  std::vector<std::string> command_line_module_paths;
  std::unique_ptr<module::ModuleLoader> loader;
  std::shared_ptr<const server::ServingConfig> serving;
  std::string last_error;
  bool started = false;
  bool draining = false;
  bool healthcheck_failed = false;  // POST /healthcheck/fail

  std::unique_ptr<server::Worker> local_worker;  // concurrency == 0
  std::vector<std::unique_ptr<WorkerThread>> threads;
  uv_async_t* worker_finished = nullptr;  // threads report a finished drain
  std::atomic<size_t> threads_running{0};
  std::unique_ptr<admin::AdminServer> admin;
  // Active health checks and ejection ends, on `loop`; stopped at drain.
  std::unique_ptr<upstream::HealthSupervisor> health_supervisor;
  // One per STRICT_DNS cluster, on this (the control) loop; stopped when
  // the drain begins: the hosts found so far serve the drain.
  std::vector<std::unique_ptr<upstream::ClusterDiscovery>> discoveries;
  sy_proxy_done_fn done = nullptr;
  void* done_user_data = nullptr;
};

namespace {

int fail(sy_proxy* proxy, std::string message) {
  proxy->last_error = std::move(message);
  return -1;
}

int applyLoadedConfig(sy_proxy* proxy, const config::LoadedConfig& loaded, const std::string& source) {
  if (proxy->started) return fail(proxy, "the proxy is already serving; its config cannot be replaced");
  if (!loaded.ok()) return fail(proxy, joinLines(loaded.errors));
  if (!proxy->loader) {
    std::vector<std::string> search_path = proxy->command_line_module_paths;
    for (const auto& dir : loaded.bootstrap->module_paths()) search_path.push_back(dir);
    for (const auto& dir : module::ModuleLoader::defaultSearchPath()) search_path.push_back(dir);
    proxy->loader = std::make_unique<module::ModuleLoader>(search_path, module::hostApi());
  }
  std::vector<std::string> errors;
  auto built = server::buildServingConfig(loaded.bootstrap, source, *proxy->loader, &errors);
  if (!built) return fail(proxy, joinLines(errors));
  proxy->serving = std::move(built);
  proxy->last_error.clear();
  return 0;
}

void workerThreadMain(void* arg) {
  auto* thread = static_cast<WorkerThread*>(arg);
  std::string error;
  thread->worker = std::make_unique<server::Worker>(&thread->loop, thread->proxy->serving);
  if (!thread->worker->startListening(thread->listen_fds, &error)) SY_LOG(kError, "worker: %s", error.c_str());
  uv_run(&thread->loop, UV_RUN_DEFAULT);
  thread->worker.reset();
  // Let the handles the worker closed on its way out finish closing.
  uv_run(&thread->loop, UV_RUN_DEFAULT);
  uv_loop_close(&thread->loop);
  sy_proxy* proxy = thread->proxy;
  if (proxy->threads_running.fetch_sub(1) == 1) uv_async_send(proxy->worker_finished);
}

void onWorkerCommand(uv_async_t* async) {
  auto* thread = static_cast<WorkerThread*>(async->data);
  if (!thread->drain_requested.load() || !thread->worker || thread->worker->draining()) return;
  thread->worker->drain(thread->drain_timeout_ms, [thread] {
    uv_close(reinterpret_cast<uv_handle_t*>(&thread->command), nullptr);
  });
}

void finishDrain(sy_proxy* proxy) {
  if (proxy->admin) proxy->admin->close();
  if (proxy->serving) {
    for (const auto& [path, file] : proxy->serving->access_log_files) file->flush();
  }
  if (proxy->worker_finished != nullptr) {
    closeAndDelete(proxy->worker_finished);
    proxy->worker_finished = nullptr;
  }
  if (proxy->done != nullptr) proxy->done(proxy, proxy->done_user_data);
}

std::vector<int> openListeners(sy_proxy* proxy, std::string* error) {
  std::vector<int> fds;
  for (const auto& listener : proxy->serving->proxy->listeners) {
    int fd = server::openListenSocket(listener->address, error);
    if (fd < 0) {
      *error = "listener '" + listener->name + "' " + *error;
      for (int open : fds) ::close(open);
      return {};
    }
    fds.push_back(fd);
  }
  return fds;
}

}  // namespace

extern "C" {

const char* sy_version(void) { return SY_VERSION; }

const char* sy_filter_abi_version(void) {
  static const std::string version =
      std::to_string(SY_ABI_VERSION_MAJOR) + "." + std::to_string(SY_ABI_VERSION_MINOR);
  return version.c_str();
}

void sy_set_log_level(int level) {
  if (level < 0) level = 0;
  if (level > 5) level = 5;
  log::setLevel(static_cast<log::Level>(level));
}

sy_proxy* sy_proxy_new(uv_loop_t* loop, const sy_proxy_options* options) {
  if (loop == nullptr) return nullptr;
  auto* proxy = new sy_proxy;
  proxy->loop = loop;
  if (options != nullptr && options->size >= sizeof(sy_proxy_options)) {
    proxy->concurrency = options->concurrency;
    for (size_t i = 0; i < options->module_path_count; ++i) {
      proxy->command_line_module_paths.emplace_back(options->module_paths[i]);
    }
  }
  return proxy;
}

int sy_proxy_load_config_file(sy_proxy* proxy, const char* path) {
  if (proxy == nullptr || path == nullptr) return -1;
  return applyLoadedConfig(proxy, config::loadConfigFile(path), path);
}

int sy_proxy_load_config_text(sy_proxy* proxy, const char* text, size_t length, const char* source_name) {
  if (proxy == nullptr || text == nullptr) return -1;
  std::string source = source_name != nullptr ? source_name : "<config>";
  config::ConfigFormat format = config::ConfigFormat::kYaml;  // JSON is valid YAML
  return applyLoadedConfig(proxy, config::loadConfigText(std::string_view(text, length), source, format), source);
}

}  // extern "C"

// Helpers of sy_proxy_start, outside extern "C": they return C++ types.
namespace {

// Each cluster's live counters (atomics the request path keeps for retry
// budgets and breakers), as gauges read when /stats is.
void addClusterGauges(const switchyard::config::ProxyConfig& config, std::vector<stats::MetricSnapshot>& metrics) {
  for (const auto& cluster : config.clusters) {
    auto gauge = [&](const char* stat, const char* family, const char* help, const std::atomic<uint64_t>& value) {
      stats::MetricSnapshot metric;
      metric.name = {"cluster." + cluster->name + "." + stat, family, {{"cluster", cluster->name}}, help};
      metric.kind = stats::MetricKind::kGauge;
      metric.value = int64_t(value.load(std::memory_order_relaxed));
      metrics.push_back(std::move(metric));
    };
    const auto& counters = *cluster->counters;
    gauge("active_requests", "cluster_upstream_rq_active", "Requests with an attempt on the cluster",
          counters.active_requests);
    gauge("pending_requests", "cluster_upstream_rq_pending_active", "Attempts waiting for a pooled connection",
          counters.pending_requests);
    gauge("active_retries", "cluster_upstream_rq_retry_active", "Retries and hedges in flight",
          counters.active_retries);
    gauge("active_connections", "cluster_upstream_cx_active", "Upstream connections: connecting, busy or idle",
          counters.active_connections);
  }
}

// The admin endpoints the server registers itself; other folders add theirs.
admin::AdminHandlers adminHandlers(sy_proxy* proxy) {
  admin::AdminHandlers handlers;
  server::addServerEndpoints(handlers, {[proxy] { return proxy->draining; }, proxy->serving, proxy->loader.get(),
                                        &proxy->healthcheck_failed});
  stats::addStatsEndpoints(handlers, [proxy](std::vector<stats::MetricSnapshot>& metrics) {
    addClusterGauges(*proxy->serving->proxy, metrics);
  });
  // Each cluster's report ends with what filter modules say about it (a
  // breaker's state, say), "<module>.<field>".
  upstream::addClustersEndpoint(
      handlers, proxy->serving->proxy, proxy->serving->health, proxy->serving->memberships,
      [proxy](const config::ClusterConfig& cluster, std::vector<upstream::ReportField>& fields) {
        if (!proxy->loader) return;
        for (auto& report : proxy->loader->reportCluster(cluster.name)) {
          for (auto& [name, value] : report.fields) fields.push_back({report.module + "." + name, reportValue(value)});
        }
      });
  return handlers;
}

// Starts the discovery of every STRICT_DNS cluster, on the control loop.
// Serving does not wait for the first answers: a cluster without hosts yet
// answers 503 (UH) while the other clusters serve.
bool startDiscovery(sy_proxy* proxy, std::string* error) {
  for (const auto& cluster : proxy->serving->proxy->clusters) {
    if (cluster->type != switchyard::config::Cluster::STRICT_DNS) continue;
    auto discovery = std::make_unique<upstream::ClusterDiscovery>(
        proxy->loop, *cluster, proxy->serving->memberships->of(*cluster),
        *proxy->serving->health->cluster(cluster->index));
    if (!discovery->start(error)) {
      proxy->discoveries.clear();
      return false;
    }
    proxy->discoveries.push_back(std::move(discovery));
  }
  return true;
}

// libuv writes with write(2), so a peer that closed its socket raises
// SIGPIPE, whose default action kills the process. A proxy must survive
// that; only the default action is replaced, never an embedder's handler.
void ignoreSigpipeIfDefault() {
  struct sigaction current {};
  if (sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) {
    signal(SIGPIPE, SIG_IGN);
  }
}

}  // namespace

extern "C" {

int sy_proxy_start(sy_proxy* proxy) {
  if (proxy == nullptr) return -1;
  if (!proxy->serving) return fail(proxy, "no config loaded");
  if (proxy->started) return fail(proxy, "already started");
  ignoreSigpipeIfDefault();
  std::string error;
  if (!startDiscovery(proxy, &error)) return fail(proxy, error);
  if (proxy->serving->proxy->has_admin) {
    proxy->admin = std::make_unique<admin::AdminServer>(proxy->loop, adminHandlers(proxy));
    if (!proxy->admin->start(proxy->serving->proxy->admin_address, &error)) {
      proxy->admin.reset();
      return fail(proxy, error);
    }
  }
  if (proxy->concurrency == 0) {
    std::vector<int> fds = openListeners(proxy, &error);
    if (fds.empty() && !proxy->serving->proxy->listeners.empty()) return fail(proxy, error);
    proxy->local_worker = std::make_unique<server::Worker>(proxy->loop, proxy->serving);
    if (!proxy->local_worker->startListening(fds, &error)) return fail(proxy, error);
  } else {
    // Bind every socket first so an address in use fails the start cleanly.
    std::vector<std::vector<int>> fds_per_worker;
    for (uint32_t i = 0; i < proxy->concurrency; ++i) {
      fds_per_worker.push_back(openListeners(proxy, &error));
      if (fds_per_worker.back().empty() && !proxy->serving->proxy->listeners.empty()) {
        for (auto& fds : fds_per_worker) for (int fd : fds) ::close(fd);
        return fail(proxy, error);
      }
    }
    proxy->worker_finished = new uv_async_t;
    uv_async_init(proxy->loop, proxy->worker_finished, [](uv_async_t* async) {
      auto* owner = static_cast<sy_proxy*>(async->data);
      if (owner->threads_running.load() == 0) finishDrain(owner);
    });
    proxy->worker_finished->data = proxy;
    proxy->threads_running = proxy->concurrency;
    for (uint32_t i = 0; i < proxy->concurrency; ++i) {
      auto thread = std::make_unique<WorkerThread>();
      thread->proxy = proxy;
      thread->listen_fds = fds_per_worker[i];
      uv_loop_init(&thread->loop);
      uv_async_init(&thread->loop, &thread->command, &onWorkerCommand);
      thread->command.data = thread.get();
      uv_thread_create(&thread->thread, &workerThreadMain, thread.get());
      proxy->threads.push_back(std::move(thread));
    }
  }
  proxy->health_supervisor = std::make_unique<upstream::HealthSupervisor>(
      proxy->loop, *proxy->serving->proxy, *proxy->serving->health, *proxy->serving->memberships);
  proxy->started = true;
  SY_LOG(kInfo, "switchyard %s serving %zu listener(s) with %u worker(s)", SY_VERSION,
         proxy->serving->proxy->listeners.size(), proxy->concurrency == 0 ? 1u : proxy->concurrency);
  return 0;
}

void sy_proxy_drain(sy_proxy* proxy, uint64_t timeout_ms, sy_proxy_done_fn done, void* user_data) {
  if (proxy == nullptr || proxy->draining) return;
  proxy->draining = true;
  if (timeout_ms == 0 && proxy->serving) {
    for (const auto& listener : proxy->serving->proxy->listeners) {
      timeout_ms = std::max(timeout_ms, listener->drain_timeout_ms);
    }
  }
  proxy->done = done;
  proxy->done_user_data = user_data;
  proxy->discoveries.clear();
  if (!proxy->started) {
    finishDrain(proxy);
    return;
  }
  SY_LOG(kInfo, "draining: no new connections; waiting up to %llu ms for in-flight requests",
         static_cast<unsigned long long>(timeout_ms));
  // Its timers would keep the loop running after the drain; health stays
  // as last seen for the requests still in flight.
  proxy->health_supervisor->stop();
  if (proxy->local_worker) {
    proxy->local_worker->drain(timeout_ms, [proxy] { finishDrain(proxy); });
    return;
  }
  for (auto& thread : proxy->threads) {
    thread->drain_timeout_ms = timeout_ms;
    thread->drain_requested = true;
    uv_async_send(&thread->command);
  }
}

void sy_proxy_free(sy_proxy* proxy) {
  if (proxy == nullptr) return;
  for (auto& thread : proxy->threads) uv_thread_join(&thread->thread);
  proxy->health_supervisor.reset();
  proxy->local_worker.reset();
  proxy->admin.reset();
  proxy->discoveries.clear();
  delete proxy;
}

int sy_proxy_reopen_logs(sy_proxy* proxy) {
  if (proxy == nullptr) return -1;
  if (!proxy->serving) return fail(proxy, "no config loaded");
  for (const auto& [path, file] : proxy->serving->access_log_files) file->reopen();
  return 0;
}

const char* sy_proxy_last_error(const sy_proxy* proxy) { return proxy == nullptr ? "" : proxy->last_error.c_str(); }

}  // extern "C"
