// ListenerMetrics: one listener's series — "listener.<name>.*" in /stats,
// switchyard_listener_* {listener="<name>"} for Prometheus — and those of
// each of its routes, "route.<listener>.<route>.*" {listener, route}.
//
// Built with the listener's serving config (ids resolved once, found again
// by name after a reload); connections record into it directly and each
// stream through a StreamMetrics (stream_metrics.h). A route is addressed by
// its dense id in the listener's route table, never by name.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "stats/cluster_metrics.h"
#include "stats/metric_registry.h"

namespace switchyard::stats {

struct RouteMetrics {
  uint32_t rq_total, rq_by_class[5], rq_time;
  const ClusterMetrics* cluster;  // the route's cluster, null when it names none
};

class ListenerMetrics {
 public:
  struct Route {
    std::string name;
    const ClusterMetrics* cluster = nullptr;
  };
  // `routes` in route table order: a route's index is its id.
  ListenerMetrics(MetricRegistry& registry, const std::string& listener, const std::vector<Route>& routes);

  void connectionOpened() const;
  void connectionClosed() const;
  void bytesReceived(uint64_t bytes) const { registry_.record(cx_rx_bytes_, int64_t(bytes)); }
  void bytesSent(uint64_t bytes) const { registry_.record(cx_tx_bytes_, int64_t(bytes)); }
  // A request refused before it became a stream (malformed HTTP): its 4xx.
  void requestRefused(int status) const;

  // For StreamMetrics. `route_id` out of range (no route matched): null.
  const RouteMetrics* route(size_t route_id) const { return route_id < routes_.size() ? &routes_[route_id] : nullptr; }
  MetricRegistry& registry() const { return registry_; }
  uint32_t rqTotal() const { return rq_total_; }
  uint32_t rqActive() const { return rq_active_; }
  uint32_t rqByClass(int index) const { return rq_by_class_[index]; }
  uint32_t rqTime() const { return rq_time_; }

 private:
  MetricRegistry& registry_;
  uint32_t cx_total_, cx_active_, cx_rx_bytes_, cx_tx_bytes_;
  uint32_t rq_total_, rq_active_, rq_by_class_[5], rq_time_;
  std::vector<RouteMetrics> routes_;
};

}  // namespace switchyard::stats
