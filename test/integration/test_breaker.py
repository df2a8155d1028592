"""modules/breaker over real sockets against real upstream processes: the
failure state machine (open, half-open with at most K probes, closed again,
re-opened for longer, a hung probe timing out), bulkheads per cluster (one
cluster at its limit leaves another untouched), per host and on
connections, and host/examples/breaker.yaml as shipped."""
import concurrent.futures
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (SOURCE_ROOT, IntegrationTestCase, RawClient, access_log_yaml, exchange, free_port, main,  # noqa: E402
                     proxy_stats, request_bytes, run_switchyard, wait_until)

OVERLOADED = "x-switchyard-overloaded"


def breaker_config(listener_port: int, admin_port: int, clusters: dict[str, list[int]], breaker: dict,
                   routes: list[tuple[str, str]] | None = None, access_log: str = "") -> str:
    """One listener with the breaker filter; `routes` maps path prefixes to
    clusters (default: everything to the first cluster); `access_log`, when
    given, is the access log's path."""
    routes = routes or [("/", next(iter(clusters)))]
    route_lines = "".join(
        f"          - name: to-{cluster}-{index}\n"
        f"            match: {{ prefix: \"{prefix}\" }}\n"
        f"            route: {{ cluster: {cluster}, prefix_rewrite: / }}\n"
        for index, (prefix, cluster) in enumerate(routes))
    cluster_lines = ""
    for name, ports in clusters.items():
        cluster_lines += f"  - name: {name}\n    connect_timeout: 1s\n    endpoints:\n"
        cluster_lines += "".join(f"      - {{ address: 127.0.0.1, port: {port} }}\n" for port in ports)
    return f"""
admin:
  address: 127.0.0.1
  port: {admin_port}
listeners:
  - name: edge
    address: 127.0.0.1
    port: {listener_port}
{access_log_yaml(access_log) if access_log else ""}    filters:
      - name: breaker
        config: {json.dumps(breaker)}
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
{route_lines}clusters:
{cluster_lines}"""


class BreakerTest(IntegrationTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.port = free_port()
        self.admin_port = free_port()
        self.access_log = os.path.join(self.workdir, "access.log")

    def serve(self, clusters: dict[str, list[int]], breaker: dict, concurrency: int = 2, **options) -> None:
        self.proxy = self.start_proxy(breaker_config(self.port, self.admin_port, clusters, breaker,
                                                     access_log=self.access_log, **options),
                                      self.port, concurrency=concurrency)

    def stats(self) -> dict:
        return proxy_stats(self.admin_port)

    def cluster_report(self, name: str) -> dict:
        clusters = json.loads(exchange(self.admin_port, path="/clusters?format=json").body)["clusters"]
        return next(cluster for cluster in clusters if cluster["name"] == name)

    def trip(self, count: int = 5) -> float:
        """`count` upstream 503s in a row; returns when the last one came back."""
        for _ in range(count):
            self.assertEqual(exchange(self.port, path="/status/503").status, 503)
        return time.monotonic()

    def assert_refused(self, path: str, reason: str) -> None:
        started = time.monotonic()
        response = exchange(self.port, path=path)
        self.assertEqual(response.status, 503, response.body)
        self.assertEqual(response.header(OVERLOADED), reason)
        self.assertLess(time.monotonic() - started, 0.5, "an overloaded request is answered at once")

    def concurrent(self, paths: list[str], timeout: float = 10.0) -> list:
        with concurrent.futures.ThreadPoolExecutor(max_workers=len(paths)) as pool:
            return list(pool.map(lambda path: exchange(self.port, path=path, timeout=timeout), paths))

    # ---- the state machine ------------------------------------------------

    def test_consecutive_failures_open_it_and_while_open_nothing_reaches_the_upstream(self):
        upstream = self.start_upstream()
        self.serve({"backend": [upstream.port]},
                   {"clusters": [{"cluster": "backend", "consecutive_failures": 5, "failure_on": ["5xx"],
                                  "open_interval": "30s"}]})
        self.assertEqual(exchange(self.port, path="/status/503").status, 503)
        self.assertEqual(exchange(self.port, path="/echo").status, 200)  # a success resets the count
        self.trip(4)
        self.assertEqual(exchange(self.port, path="/echo").status, 200)  # 4 in a row: still closed
        self.trip(5)
        upstream.reset_stats()
        for _ in range(20):
            self.assert_refused("/echo", "open")
        self.assertEqual(upstream.stats()["requests"], 0, "an open breaker sends nothing upstream")
        stats = self.stats()
        self.assertEqual(stats["breaker.backend.trips"], 1)
        self.assertEqual(stats["breaker.backend.state"], 1)
        self.assertEqual(stats["breaker.backend.rejected.open"], 20)
        self.assertAccessLoggedSoon(self.access_log, "flags=UO")
        # The admin API shows the breaker beside the cluster's hosts.
        cluster = self.cluster_report("backend")
        self.assertEqual(cluster["breaker.state"], "open")
        self.assertEqual(cluster["breaker.trips"], 1)
        self.assertEqual(cluster["breaker.rejected.open"], 20)
        self.assertGreater(cluster["breaker.open_remaining_ms"], 25000)
        self.assertIn("breaker.state: open", exchange(self.admin_port, path="/clusters").body.decode())

    def test_half_open_admits_at_most_k_probes_under_50_concurrent_clients_and_a_success_closes_it(self):
        upstream = self.start_upstream()
        self.serve({"backend": [upstream.port]},
                   {"clusters": [{"cluster": "backend", "consecutive_failures": 3, "failure_on": ["5xx"],
                                  "open_interval": "1s", "half_open": {"max_probes": 2, "successes": 2}}]})
        tripped_at = self.trip(3)
        self.assert_refused("/echo", "open")
        time.sleep(max(0.0, tripped_at + 1.2 - time.monotonic()))  # the open interval is the event
        upstream.reset_stats()
        # 50 clients at once, each probe held 600 ms by the upstream: only
        # two may be in flight, the rest are refused at once.
        responses = self.concurrent(["/delay/600"] * 50)
        statuses = [response.status for response in responses]
        self.assertEqual(statuses.count(200), 2, statuses)
        self.assertEqual(statuses.count(503), 48, statuses)
        self.assertEqual(upstream.stats()["requests"], 2)
        self.assertLessEqual(upstream.stats()["max_requests_in_flight"], 2)
        # Two successful probes closed it: traffic flows again.
        for _ in range(10):
            self.assertEqual(exchange(self.port, path="/echo").status, 200)
        stats = self.stats()
        self.assertEqual(stats["breaker.backend.state"], 0)
        self.assertEqual(stats["breaker.backend.probes_admitted"], 2)
        self.assertEqual(stats["breaker.backend.probes_succeeded"], 2)

    def test_a_failed_probe_reopens_it_for_twice_as_long(self):
        upstream = self.start_upstream()
        self.serve({"backend": [upstream.port]},
                   {"clusters": [{"cluster": "backend", "consecutive_failures": 2, "failure_on": ["5xx"],
                                  "open_interval": "1s", "max_open_interval": "10s"}]})
        tripped_at = self.trip(2)
        time.sleep(max(0.0, tripped_at + 1.2 - time.monotonic()))
        self.assertEqual(exchange(self.port, path="/status/503").status, 503)  # the probe fails
        reopened_at = time.monotonic()
        self.assert_refused("/echo", "open")
        # Open for 2 s now: still refusing after the first interval ...
        time.sleep(max(0.0, reopened_at + 1.4 - time.monotonic()))
        self.assert_refused("/echo", "open")
        # ... and probing after the second.
        time.sleep(max(0.0, reopened_at + 2.3 - time.monotonic()))
        self.assertEqual(exchange(self.port, path="/echo").status, 200)
        self.assertEqual(exchange(self.port, path="/echo").status, 200)
        stats = self.stats()
        self.assertEqual(stats["breaker.backend.trips"], 2)
        self.assertEqual(stats["breaker.backend.probes_failed"], 1)
        self.assertEqual(stats["breaker.backend.state"], 0)

    def test_a_hung_probe_times_out_and_reopens_it(self):
        upstream = self.start_upstream()
        self.serve({"backend": [upstream.port]},
                   {"clusters": [{"cluster": "backend", "consecutive_failures": 2, "failure_on": ["5xx"],
                                  "open_interval": "500ms", "half_open": {"probe_timeout": "400ms"}}]})
        tripped_at = self.trip(2)
        time.sleep(max(0.0, tripped_at + 0.7 - time.monotonic()))
        started = time.monotonic()
        response = exchange(self.port, path="/hang")
        self.assertEqual(response.status, 504)  # the probe's attempt was cancelled as timed out
        self.assertGreaterEqual(time.monotonic() - started, 0.35)
        self.assert_refused("/echo", "open")  # never stuck half-open
        self.assertEqual(self.stats()["breaker.backend.probes_failed"], 1)

    # ---- bulkheads ---------------------------------------------------------

    def test_one_cluster_at_its_limit_leaves_another_cluster_untouched(self):
        stuck = self.start_upstream("stuck")
        healthy = self.start_upstream("healthy")
        self.serve({"a": [stuck.port], "b": [healthy.port]},
                   {"clusters": [{"cluster": "a", "max_requests": 5}, {"cluster": "b", "max_requests": 50}]},
                   routes=[("/a/", "a"), ("/b/", "b")])

        def b_latencies(count: int) -> list[float]:
            latencies = []
            for _ in range(count):
                started = time.monotonic()
                self.assertEqual(exchange(self.port, path="/b/echo").status, 200)
                latencies.append(time.monotonic() - started)
            return sorted(latencies)

        baseline = b_latencies(100)
        hung = [RawClient(self.port, timeout=10) for _ in range(5)]
        try:
            for client in hung:
                client.send(request_bytes("GET", "/a/hang"))
            self.assertTrue(wait_until(lambda: stuck.stats()["requests_in_flight"] == 5, time.monotonic() + 5))
            self.assert_refused("/a/echo", "max_requests")
            self.assertEqual(stuck.stats()["requests"], 5, "the refused request never reached cluster a")
            during = b_latencies(100)
        finally:
            for client in hung:
                client.close()
        p99_baseline, p99_during = baseline[98], during[98]
        # Stated bound: cluster b's p99 stays within 3x (or 50 ms) of its own
        # p99 without a's trouble.
        self.assertLess(p99_during, max(3 * p99_baseline, p99_baseline + 0.05),
                        f"b's p99 {p99_during * 1000:.1f} ms vs {p99_baseline * 1000:.1f} ms before")
        self.assertEqual(self.stats()["breaker.a.rejected.max_requests"], 1)

    def test_a_saturated_host_is_skipped_while_the_others_keep_serving(self):
        hosts = [self.start_upstream(f"h{i}") for i in range(3)]
        self.serve({"backend": [host.port for host in hosts]},
                   {"clusters": [{"cluster": "backend", "per_host": {"max_requests": 3}}]})
        # h0 holds each request 3 s; h1 and h2 answer at once. Requests come
        # every 20 ms, so h1 and h2 are never near their limit while round
        # robin keeps offering h0 its share: h0 fills its 3 and is skipped.
        clients = []
        try:
            for _ in range(30):
                client = RawClient(self.port, timeout=10)
                clients.append(client)
                client.send(request_bytes("GET", "/slow-on/h0/3000"))
                time.sleep(0.02)
            responses = [client.read_response() for client in clients]
        finally:
            for client in clients:
                client.close()
        self.assertEqual([response.status for response in responses], [200] * 30)
        self.assertEqual(hosts[0].stats()["max_requests_in_flight"], 3)
        served_by = [response.json()["server"] for response in responses]
        self.assertEqual(served_by.count("h0"), 3)
        self.assertEqual(served_by.count("h1") + served_by.count("h2"), 27)
        self.assertGreater(self.stats()["breaker.backend.rejected.host_max_requests"], 0)

    def test_a_failing_host_gets_its_own_breaker_and_the_others_keep_serving(self):
        hosts = [self.start_upstream(f"h{i}") for i in range(3)]
        self.serve({"backend": [host.port for host in hosts]},
                   {"clusters": [{"cluster": "backend", "failure_on": ["5xx"],
                                  "per_host": {"consecutive_failures": 2, "open_interval": "30s"}}]})
        hosts[1].get_json("/__force_status/503")
        failing = f"127.0.0.1:{hosts[1].port}"
        # Round robin reaches h1 every third request: after its second 503
        # its breaker opens and it is skipped; the others answer everything.
        statuses = [exchange(self.port, path="/echo").status for _ in range(30)]
        self.assertEqual(statuses.count(503), 2, statuses)
        self.assertEqual(hosts[1].stats()["requests"], 2)
        cluster = self.cluster_report("backend")
        self.assertEqual(cluster[f"breaker.{failing}.state"], "open")
        self.assertEqual(cluster["breaker.state"], "closed")  # the cluster's own breaker never tripped
        self.assertGreater(cluster[f"breaker.{failing}.rejected.host_open"], 0)

    def test_every_host_at_its_limit_refuses_the_request_naming_the_host_limit(self):
        hosts = [self.start_upstream(f"h{i}") for i in range(2)]
        self.serve({"backend": [host.port for host in hosts]},
                   {"clusters": [{"cluster": "backend", "per_host": {"max_requests": 1}}]}, concurrency=1)
        hung = [RawClient(self.port, timeout=10) for _ in range(2)]
        try:
            for client in hung:
                client.send(request_bytes("GET", "/hang"))
            self.assertTrue(wait_until(
                lambda: sum(host.stats()["requests_in_flight"] for host in hosts) == 2, time.monotonic() + 5))
            self.assert_refused("/echo", "host_max_requests")
        finally:
            for client in hung:
                client.close()
        # The hung attempts ended with their clients: the hosts take requests again.
        self.assertTrue(wait_until(lambda: exchange(self.port, path="/echo").status == 200, time.monotonic() + 5))

    def test_a_request_that_would_need_a_connection_over_the_limit_is_refused(self):
        upstream = self.start_upstream()
        self.serve({"backend": [upstream.port]},
                   {"clusters": [{"cluster": "backend", "max_connections": 1}]}, concurrency=1)
        with RawClient(self.port, timeout=10) as client:
            client.send(request_bytes("GET", "/delay/800"))
            self.assertTrue(wait_until(lambda: upstream.stats()["requests_in_flight"] == 1, time.monotonic() + 5))
            self.assert_refused("/echo", "max_connections")
            self.assertEqual(client.read_response().status, 200)
        # The connection is idle again: a request can use it.
        self.assertEqual(exchange(self.port, path="/echo").status, 200)

    # ---- config and the shipped example -------------------------------------

    def test_a_bad_config_names_every_wrong_field(self):
        path = self.write_file("bad.yaml", breaker_config(
            free_port(), free_port(), {"backend": [1]},
            {"clusters": [{"cluster": "backend", "consecutive_failures": -1, "failure_on": ["5xx", "teapot"],
                           "half_open": {"max_probes": 0}, "open_interval": "2s", "max_open_interval": "1s"},
                          {"max_requests": 3}],
             "colour": "red"}))
        result = run_switchyard(["-c", path, "--check", "--module-path", os.environ["SWITCHYARD_MODULE_DIR"]])
        self.assertEqual(result.returncode, 1)
        for expected in ("filters[0].config.clusters[0].consecutive_failures",
                         "filters[0].config.clusters[0].failure_on[1]: unknown failure \"teapot\"",
                         "filters[0].config.clusters[0].half_open.max_probes",
                         "filters[0].config.clusters[0].max_open_interval: must not be shorter than open_interval",
                         "filters[0].config.clusters[1]: cluster is required",
                         "filters[0].config.colour"):
            self.assertIn(expected, result.stderr)

    def test_breaker_yaml_example_works_as_written(self):
        upstream = self.start_upstream()
        with open(os.path.join(SOURCE_ROOT, "host", "examples", "breaker.yaml")) as example:
            text = example.read()
        for fixed, port in (("port: 10000", self.port), ("port: 18080", upstream.port),
                            ("port: 9901", self.admin_port)):
            self.assertIn(fixed, text)
            text = text.replace(fixed, f"port: {port}")
        self.proxy = self.start_proxy(text, self.port)
        tripped_at = self.trip(5)
        upstream.reset_stats()
        self.assert_refused("/echo", "open")
        self.assertEqual(upstream.stats()["requests"], 0)
        time.sleep(max(0.0, tripped_at + 2.2 - time.monotonic()))
        self.assertEqual(exchange(self.port, path="/echo").status, 200)  # the one probe closes it
        self.assertEqual(exchange(self.port, path="/echo").status, 200)


if __name__ == "__main__":
    main()
