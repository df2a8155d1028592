"""The proxy's stats over real sockets: requests of known status classes go
through two workers to two clusters, then GET /stats, /stats?format=json and
/stats/prometheus must count exactly what was sent (per listener, route,
cluster and host; histogram counts; a filter module's counter and
histogram), promtool must accept the Prometheus output, and a real
Prometheus server scraping the admin endpoint must answer a PromQL query
with the number of requests sent."""
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import MODULE_DIR, IntegrationTestCase, exchange, free_port, main, proxy_stats, wait_until  # noqa: E402

COUNTER_FIXTURE = os.path.join(os.path.dirname(MODULE_DIR), "test", "abi", "counter.so")
STATS_DEADLINE = 5.0
PROMETHEUS_DEADLINE = 60.0

# What the workload sends: path → (count, status it gets).
WORKLOAD = {
    "/echo": (6, 200),         # route "echo", cluster alpha
    "/status/503": (3, 503),   # route "status", cluster beta
    "/status/404": (2, 404),   # route "status", cluster beta
    "/nowhere": (1, 404),      # no route: the proxy's own 404
}


def stats_config(listener_port: int, admin_port: int, alpha_port: int, beta_port: int) -> str:
    return f"""
admin:
  address: 127.0.0.1
  port: {admin_port}
listeners:
  - name: edge
    address: 127.0.0.1
    port: {listener_port}
    filters:
      - name: probe
        path: {COUNTER_FIXTURE}
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
          - name: echo
            match: {{ prefix: /echo }}
            route: {{ cluster: alpha }}
          - name: status
            match: {{ prefix: /status }}
            route: {{ cluster: beta }}
clusters:
  - name: alpha
    endpoints: [{{ address: 127.0.0.1, port: {alpha_port} }}]
  - name: beta
    endpoints: [{{ address: 127.0.0.1, port: {beta_port} }}]
"""


def http_get(url: str, timeout: float = 5.0) -> tuple[int, str, str]:
    """(status, content type, body) of a GET."""
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.headers.get("content-type", ""), response.read().decode()


def prometheus_samples(text: str) -> dict[str, float]:
    """Every sample line of a Prometheus exposition as {"name{labels}": value}."""
    samples = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        series, _, value = line.rpartition(" ")
        samples[series] = float(value)
    return samples


class PrometheusServer:
    """A real Prometheus scraping `target` every second, on its own loopback
    port, with its storage in `workdir`. Stopped by the test's cleanup like
    the other processes (stop, read_log, name)."""

    def __init__(self, binary: str, workdir: str, target: str):
        self.name = "prometheus"
        self.port = free_port()
        config_path = os.path.join(workdir, "prometheus.yml")
        with open(config_path, "w") as config:
            config.write(f"""global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: switchyard
    metrics_path: /stats/prometheus
    static_configs:
      - targets: ["{target}"]
""")
        self.log_path = os.path.join(workdir, "prometheus.log")
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [binary, f"--config.file={config_path}", f"--storage.tsdb.path={os.path.join(workdir, 'tsdb')}",
             f"--web.listen-address=127.0.0.1:{self.port}"],
            stdout=self.log, stderr=self.log)

    def query(self, promql: str) -> list:
        """The result vector of an instant query, [] while Prometheus is not up yet."""
        url = f"http://127.0.0.1:{self.port}/api/v1/query?" + urllib.parse.urlencode({"query": promql})
        try:
            _, _, body = http_get(url, timeout=2.0)
        except OSError:
            return []
        answer = json.loads(body)
        return answer["data"]["result"] if answer.get("status") == "success" else []

    def read_log(self) -> str:
        with open(self.log_path, "rb") as log:
            return log.read().decode("utf-8", "replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if not self.log.closed:
            self.log.close()


class StatsTest(IntegrationTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.port = free_port()
        self.admin_port = free_port()
        self.alpha = self.start_upstream("alpha")
        self.beta = self.start_upstream("beta")
        # Two workers: the counts below are merged from both workers' shards.
        self.start_proxy(stats_config(self.port, self.admin_port, self.alpha.port, self.beta.port), self.port,
                         concurrency=2)
        self.sent = 0
        for path, (count, status) in WORKLOAD.items():
            for _ in range(count):
                self.assertEqual(exchange(self.port, path=path).status, status, path)
                self.sent += 1
        self.expected = {
            "downstream_rq_total": self.sent,
            "listener.edge.downstream_rq_total": self.sent,
            "listener.edge.downstream_rq_2xx": 6,
            "listener.edge.downstream_rq_4xx": 3,
            "listener.edge.downstream_rq_5xx": 3,
            "listener.edge.downstream_rq_active": 0,
            # One connection per request, and the one that found the port open.
            "listener.edge.downstream_cx_total": self.sent + 1,
            # Every client closed its connection, and so did the proxy.
            "listener.edge.downstream_cx_active": 0,
            "downstream_cx_active": 0,
            "listener.edge.downstream_rq_time": self.sent,  # a histogram's count
            "route.edge.echo.downstream_rq_total": 6,
            "route.edge.echo.downstream_rq_2xx": 6,
            "route.edge.status.downstream_rq_total": 5,
            "route.edge.status.downstream_rq_4xx": 2,
            "route.edge.status.downstream_rq_5xx": 3,
            "route.edge.status.downstream_rq_time": 5,
            "cluster.alpha.upstream_rq_total": 6,
            "cluster.alpha.upstream_rq_2xx": 6,
            "cluster.alpha.upstream_rq_time": 6,
            "cluster.beta.upstream_rq_total": 5,
            "cluster.beta.upstream_rq_4xx": 2,
            "cluster.beta.upstream_rq_5xx": 3,
            f"cluster.alpha.host.127.0.0.1:{self.alpha.port}.upstream_rq_total": 6,
            f"cluster.alpha.host.127.0.0.1:{self.alpha.port}.upstream_rq_2xx": 6,
            f"cluster.beta.host.127.0.0.1:{self.beta.port}.upstream_rq_5xx": 3,
            "cluster.alpha.active_requests": 0,
            "probe.requests": self.sent,
            "probe.observed": self.sent,  # a histogram's count
        }

    def settled_stats(self) -> dict[str, int]:
        """/stats once it shows what the workload recorded. Each response is
        counted before its last byte is written, but the reader runs on
        another thread than the workers: poll briefly rather than assume."""
        def matches() -> bool:
            stats = proxy_stats(self.admin_port)
            return all(stats.get(name) == value for name, value in self.expected.items())
        wait_until(matches, STATS_DEADLINE)
        return proxy_stats(self.admin_port)

    def test_text_stats_count_what_was_sent_per_listener_route_cluster_and_host(self):
        stats = self.settled_stats()
        self.assertEqual({name: stats.get(name) for name in self.expected}, self.expected)
        self.assertGreater(stats["listener.edge.downstream_cx_rx_bytes_total"], 0)
        self.assertGreater(stats["listener.edge.downstream_cx_tx_bytes_total"], 0)
        self.assertEqual(stats["cluster.alpha.upstream_cx_connect_fail"], 0)

    def test_histogram_lines_give_count_sum_and_quantiles(self):
        self.settled_stats()
        text = exchange(self.admin_port, path="/stats").body.decode()
        line = next(line for line in text.splitlines() if line.startswith("probe.observed: "))
        # Every observation is 7: p50..p99 interpolate inside (5, 10].
        self.assertRegex(line, rf"^probe\.observed: {self.sent} \(sum {7 * self.sent} p50 [5-9][.0-9]* "
                               rf"p90 [5-9][.0-9]* p99 (10|[5-9][.0-9]*)\)$")

    def test_filter_regex_selects_stats_by_name(self):
        self.settled_stats()
        response = exchange(self.admin_port, path="/stats?filter=%5Ecluster%5C.beta%5C.upstream_rq_%5B0-9%5Dxx")
        self.assertEqual(response.status, 200)
        self.assertEqual(response.body.decode(),
                         "cluster.beta.upstream_rq_1xx: 0\ncluster.beta.upstream_rq_2xx: 0\n"
                         "cluster.beta.upstream_rq_3xx: 0\ncluster.beta.upstream_rq_4xx: 2\n"
                         "cluster.beta.upstream_rq_5xx: 3\n")
        self.assertEqual(exchange(self.admin_port, path="/stats?filter=(").status, 400)

    def test_json_stats_carry_the_same_values_with_labels_and_buckets(self):
        self.settled_stats()
        response = exchange(self.admin_port, path="/stats?format=json")
        self.assertEqual(response.header("content-type"), "application/json")
        stats = {entry["name"]: entry for entry in json.loads(response.body)["stats"]}
        self.assertEqual(stats["cluster.beta.upstream_rq_5xx"]["value"], 3)
        self.assertEqual(stats["cluster.beta.upstream_rq_5xx"]["labels"],
                         {"cluster": "beta", "response_code_class": "5xx"})
        self.assertEqual(stats["route.edge.echo.downstream_rq_2xx"]["labels"],
                         {"listener": "edge", "route": "echo", "response_code_class": "2xx"})
        time_histogram = stats["listener.edge.downstream_rq_time"]
        self.assertEqual(time_histogram["type"], "histogram")
        self.assertEqual(time_histogram["count"], self.sent)
        self.assertEqual(time_histogram["buckets"][-1], {"le": "+Inf", "count": self.sent})
        observed = stats["probe.observed"]
        self.assertEqual([bucket["count"] for bucket in observed["buckets"] if bucket["le"] in (5, 10)],
                         [0, self.sent])

    def test_prometheus_output_has_the_same_counts_and_passes_promtool(self):
        self.settled_stats()
        status, content_type, text = http_get(f"http://127.0.0.1:{self.admin_port}/stats/prometheus")
        self.assertEqual(status, 200)
        self.assertEqual(content_type, "text/plain; version=0.0.4; charset=utf-8")
        samples = prometheus_samples(text)
        self.assertEqual(samples['switchyard_listener_downstream_rq_total{listener="edge"}'], self.sent)
        self.assertEqual(
            samples['switchyard_listener_downstream_rq_xx_total{listener="edge",response_code_class="2xx"}'], 6)
        self.assertEqual(samples['switchyard_route_downstream_rq_xx_total{listener="edge",route="status",'
                                 'response_code_class="5xx"}'], 3)
        self.assertEqual(samples['switchyard_cluster_upstream_rq_xx_total{cluster="beta",response_code_class="4xx"}'],
                         2)
        self.assertEqual(samples[f'switchyard_cluster_host_upstream_rq_total{{cluster="alpha",'
                                 f'host="127.0.0.1:{self.alpha.port}"}}'], 6)
        self.assertEqual(samples['switchyard_listener_downstream_rq_time_count{listener="edge"}'], self.sent)
        self.assertEqual(samples['switchyard_listener_downstream_rq_time_bucket{listener="edge",le="+Inf"}'],
                         self.sent)
        self.assertEqual(samples['switchyard_probe_observed_bucket{le="5"}'], 0)
        self.assertEqual(samples['switchyard_probe_observed_bucket{le="10"}'], self.sent)
        self.assertEqual(samples["switchyard_probe_requests_total"], self.sent)
        self.assertIn("# TYPE switchyard_cluster_upstream_rq_time histogram\n", text)

        promtool = shutil.which("promtool")
        if promtool is None:
            self.fail("promtool is missing: tools/setup.sh installs the Debian package prometheus")
        check = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True,
                               timeout=30)
        self.assertEqual(check.returncode, 0, f"promtool check metrics:\n{check.stdout}{check.stderr}")

    def test_a_prometheus_server_scrapes_the_admin_endpoint_and_counts_the_requests(self):
        binary = shutil.which("prometheus")
        if binary is None:
            self.fail("prometheus is missing: tools/setup.sh installs the Debian package prometheus")
        self.settled_stats()
        server = PrometheusServer(binary, self.workdir, f"127.0.0.1:{self.admin_port}")
        self._processes.append(server)
        query = 'sum(switchyard_listener_downstream_rq_total{job="switchyard",listener="edge"})'
        found = []

        def scraped() -> bool:
            if server.process.poll() is not None:
                return True  # it died: stop waiting, the assertion below says so
            found[:] = server.query(query)
            return bool(found) and float(found[0]["value"][1]) == self.sent

        start = time.monotonic()
        wait_until(scraped, PROMETHEUS_DEADLINE, interval=0.25)
        self.assertIsNone(server.process.poll(), f"prometheus exited:\n{server.read_log()[-4000:]}")
        self.assertTrue(found, f"no answer to {query} within {time.monotonic() - start:.1f} s")
        self.assertEqual(float(found[0]["value"][1]), self.sent)
        # The histogram made it through too, buckets and all.
        buckets = server.query('switchyard_cluster_upstream_rq_time_bucket{cluster="alpha",le="+Inf"}')
        self.assertEqual([float(sample["value"][1]) for sample in buckets], [6.0])


def outcomes_config(retrying_port: int, guarded_port: int, admin_port: int, upstream_port: int,
                    dead_port: int) -> str:
    """Listener "retrying" (retry filter) and listener "guarded" (timeout and
    breaker filters), each route on a cluster of its own so that every
    outcome lands in one cluster's counters."""
    def cluster(name: str, port: int) -> str:
        return f"""  - name: {name}
    connect_timeout: 1s
    endpoints: [{{ address: 127.0.0.1, port: {port} }}]
"""

    def route(name: str, prefix: str, cluster_name: str) -> str:
        return f"""          - name: {name}
            match: {{ prefix: {prefix} }}
            route: {{ cluster: {cluster_name} }}
"""
    retry = {"retry_on": ["5xx", "gateway-error"], "num_retries": 2, "per_try_timeout_ms": 200,
             "backoff": {"base_interval_ms": 1}}
    breaker = {"clusters": [{"cluster": "fragile", "consecutive_failures": 1, "failure_on": ["5xx"],
                             "open_interval": "30s"}]}
    clusters = "".join(cluster(name, upstream_port) for name in ("flaky", "slow", "patient", "fragile"))
    clusters += cluster("dead", dead_port)
    return f"""
admin:
  address: 127.0.0.1
  port: {admin_port}
listeners:
  - name: retrying
    address: 127.0.0.1
    port: {retrying_port}
    filters:
      - name: retry
        config: {json.dumps(retry)}
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
{route("flaky", "/fail-first", "flaky")}{route("slow", "/delay", "slow")}
  - name: guarded
    address: 127.0.0.1
    port: {guarded_port}
    filters:
      - name: timeout
        config: {{ request_timeout_ms: 300 }}
      - name: breaker
        config: {json.dumps(breaker)}
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
{route("patient", "/delay", "patient")}{route("fragile", "/status", "fragile")}{route("dead", "/dead", "dead")}
clusters:
{clusters}"""


class ClusterOutcomeStatsTest(IntegrationTestCase):
    """Retries, per-try timeouts, request timeouts (UT), breaker refusals
    (UO) and connect failures, each counted on the cluster it happened to
    and equal to what the upstream and the filters saw."""

    def test_each_outcome_is_counted_on_its_cluster(self):
        upstream = self.start_upstream()
        retrying_port, guarded_port, admin_port, dead_port = free_port(), free_port(), free_port(), free_port()
        self.start_proxy(outcomes_config(retrying_port, guarded_port, admin_port, upstream.port, dead_port),
                         retrying_port)
        self.assertEqual(exchange(retrying_port, path="/fail-first/2?key=stats").status, 200)
        slow = exchange(retrying_port, path="/delay/1000")
        self.assertEqual(slow.status, 504)
        self.assertEqual(exchange(guarded_port, path="/delay/3000").status, 504)
        self.assertEqual(exchange(guarded_port, path="/status/503").status, 503)  # trips the breaker
        self.assertEqual(exchange(guarded_port, path="/status/200").status, 503)  # refused: UO
        self.assertEqual(exchange(guarded_port, path="/status/200").status, 503)  # refused: UO
        self.assertEqual(exchange(guarded_port, path="/dead").status, 503)

        by_path = upstream.stats()["requests_by_path"]
        expected = {
            # Two 503s retried away, then the 200.
            "cluster.flaky.upstream_rq_total": by_path["/fail-first/2"],
            "cluster.flaky.upstream_rq_5xx": 2,
            "cluster.flaky.upstream_rq_2xx": 1,
            "cluster.flaky.upstream_rq_retry": 2,
            "route.retrying.flaky.downstream_rq_2xx": 1,
            # Every attempt of the slow request timed out after 200 ms.
            "cluster.slow.upstream_rq_total": by_path["/delay/1000"],
            "cluster.slow.upstream_rq_per_try_timeout": by_path["/delay/1000"],
            "cluster.slow.upstream_rq_retry": by_path["/delay/1000"] - 1,
            "listener.retrying.downstream_rq_5xx": 1,
            # The whole request timed out (flag UT).
            "cluster.patient.upstream_rq_timeout": 1,
            "cluster.patient.upstream_rq_total": 1,
            # One 503 reached the upstream, two were refused before it (UO).
            "cluster.fragile.upstream_rq_total": 1,
            "cluster.fragile.upstream_rq_5xx": 1,
            "cluster.fragile.upstream_rq_pending_overflow": 2,
            "breaker.fragile.rejected.open": 2,
            # Nothing listens on the dead cluster's port.
            "cluster.dead.upstream_cx_connect_fail": 1,
            f"cluster.dead.host.127.0.0.1:{dead_port}.upstream_cx_connect_fail": 1,
            "listener.guarded.downstream_rq_5xx": 5,
        }
        self.assertEqual(by_path["/fail-first/2"], 3)
        self.assertEqual(by_path["/delay/1000"], 3)
        wait_until(lambda: all(proxy_stats(admin_port).get(name) == value for name, value in expected.items()),
                   STATS_DEADLINE)
        stats = proxy_stats(admin_port)
        self.assertEqual({name: stats.get(name) for name in expected}, expected)
        self.assertEqual(stats["cluster.flaky.upstream_rq_retry"] + stats["cluster.slow.upstream_rq_retry"],
                         stats["retry.retries"])


if __name__ == "__main__":
    main()
