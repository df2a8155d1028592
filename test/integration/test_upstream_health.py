"""Upstream health end to end: the real proxy (two workers, so that health
shared between workers is what is tested) in front of three real test
upstreams. Active health checks take a stopped host out of rotation and
bring it back once it listens again; outlier detection ejects a host that
answers 503s and lets it back after the ejection time (or, with
require_check_to_return, only after a passing check); max_ejection_percent
holds when every host fails; below the panic threshold traffic spreads over
every host. GET /clusters (JSON) is checked along the way.

Every wait polls with a deadline; the deadlines are generous, while the
timing assertions compare against the configured intervals."""
import json
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import IntegrationTestCase, ProxyProcess, exchange, free_port, main, wait_until  # noqa: E402

# Active checks: a probe every 0.2 s plus up to 0.05 s of jitter, 0.2 s timeout.
CHECK_INTERVAL = 0.2
CHECK_JITTER = 0.05
CHECK_TIMEOUT = 0.2
# Slack on top of a computed bound: process scheduling on a busy machine.
SLACK = 1.0
DEADLINE = 10.0


def health_config(listener_port: int, admin_port: int, upstream_ports: list[int], cluster_extra: str) -> str:
    endpoint_lines = "".join(f"      - {{ address: 127.0.0.1, port: {port} }}\n" for port in upstream_ports)
    return f"""
listeners:
  - name: edge
    address: 127.0.0.1
    port: {listener_port}
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
          - name: everything
            match: {{ prefix: / }}
            route: {{ cluster: backend }}
clusters:
  - name: backend
    connect_timeout: 1s
{cluster_extra}
    endpoints:
{endpoint_lines}
admin:
  address: 127.0.0.1
  port: {admin_port}
"""


def http_check(unhealthy_threshold: int, healthy_threshold: int) -> str:
    return f"""    health_check:
      interval: {CHECK_INTERVAL}s
      interval_jitter: {CHECK_JITTER}s
      timeout: {CHECK_TIMEOUT}s
      unhealthy_threshold: {unhealthy_threshold}
      healthy_threshold: {healthy_threshold}
      http_health_check: {{ path: /healthz }}
"""


class UpstreamHealthTest(IntegrationTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.port = free_port()
        self.admin_port = free_port()
        self.upstreams = {name: self.start_upstream(name) for name in ("a", "b", "c")}

    def serve(self, cluster_extra: str) -> ProxyProcess:
        ports = [upstream.port for upstream in self.upstreams.values()]
        return self.start_proxy(health_config(self.port, self.admin_port, ports, cluster_extra), self.port, concurrency=2)

    # -- helpers -------------------------------------------------------------

    def clusters(self) -> dict:
        response = exchange(self.admin_port, "GET", "/clusters?format=json")
        self.assertEqual(response.status, 200, response.body)
        self.assertEqual(response.header("content-type"), "application/json")
        return json.loads(response.body)["clusters"][0]

    def host(self, name: str) -> dict:
        address = f"127.0.0.1:{self.upstreams[name].port}"
        hosts = {host["address"]: host for host in self.clusters()["hosts"]}
        return hosts[address]

    def wait_for_host(self, name: str, predicate, what: str, deadline: float = DEADLINE) -> float:
        """Polls /clusters until `predicate(host)` holds; returns the seconds it took."""
        started = time.monotonic()
        if not wait_until(lambda: predicate(self.host(name)), deadline):
            self.fail(f"host {name} not {what} within {deadline}s: {self.host(name)}")
        return time.monotonic() - started

    def spread(self, count: int) -> dict[str, list[int]]:
        """`count` requests, each on a new connection (so both workers take
        some); the statuses each upstream answered, by upstream name."""
        seen: dict[str, list[int]] = {}
        for _ in range(count):
            response = exchange(self.port, "GET", "/echo")
            seen.setdefault(response.header("x-upstream-name") or "(proxy)", []).append(response.status)
        return seen

    def send_until_ejected(self, name: str) -> int:
        """Sends requests one at a time until /clusters shows `name`
        ejected; returns how many failures it answered."""
        failures = 0
        started = time.monotonic()
        while self.host(name)["health"] != "ejected":
            self.assertLess(time.monotonic() - started, DEADLINE, f"{name} was never ejected")
            failures += len([status for status in self.spread(1).get(name, []) if status >= 500])
            self.assertLessEqual(failures, 3, f"more failures from {name} than consecutive_5xx")
        return failures

    def force_status(self, name: str, status: int) -> None:
        self.upstreams[name].get_json(f"/__force_status/{status}")

    # -- active health checks -------------------------------------------------

    def test_a_stopped_host_leaves_rotation_and_returns_when_it_listens_again(self):
        self.serve(http_check(unhealthy_threshold=2, healthy_threshold=2))
        self.wait_for_host("b", lambda host: host["active_check"] == "passing", "checked")
        before = self.clusters()
        self.assertEqual(before["health_check"], "http")
        self.assertEqual(before["healthy_hosts"], 3)

        port = self.upstreams["b"].port
        self.upstreams["b"].stop()
        took = self.wait_for_host("b", lambda host: host["health"] == "failed_active_check", "out of rotation")
        # Refused at once, so two failed probes take at most two intervals
        # with their jitter.
        self.assertLess(took, 2 * (CHECK_INTERVAL + CHECK_JITTER) + SLACK)
        host = self.host("b")
        self.assertEqual(host["active_check"], "failing")
        self.assertEqual(host["active_requests"], 0)
        seen = self.spread(30)
        self.assertEqual(set(seen), {"a", "c"})
        self.assertTrue(all(status == 200 for statuses in seen.values() for status in statuses), seen)

        self.upstreams["b"] = self.start_upstream("b", port=port)
        took = self.wait_for_host("b", lambda host: host["health"] == "healthy", "back in rotation")
        self.assertLess(took, 2 * (CHECK_INTERVAL + CHECK_JITTER) + SLACK)
        self.assertEqual(self.host("b")["active_check"], "passing")
        self.assertIn("b", self.spread(30))

    def test_a_drain_stops_the_health_checks_and_the_proxy_exits(self):
        proxy = self.serve(http_check(unhealthy_threshold=2, healthy_threshold=2) + """    outlier_detection:
      base_ejection_time: 1s
""")
        self.wait_for_host("a", lambda host: host["active_check"] == "passing", "checked")
        proxy.signal(signal.SIGTERM)
        # Open probe timers or sockets would keep the loop, and the process, alive.
        self.assertEqual(proxy.wait(timeout=5), 0, proxy.read_log()[-2000:])

    # -- outlier detection -----------------------------------------------------

    def test_a_host_answering_503_is_ejected_and_returns_after_the_ejection_time(self):
        self.serve("""    outlier_detection:
      consecutive_5xx: 3
      base_ejection_time: 1s
      max_ejection_percent: 50
""")
        self.force_status("b", 503)
        # b is ejected as its third 503 in a row (counted over both
        # workers) is judged, before the client reads it.
        self.assertEqual(self.send_until_ejected("b"), 3)
        host = self.host("b")
        self.assertEqual(host["times_ejected"], 1)
        self.assertGreater(host["ejected_remaining_ms"], 0)
        self.assertLessEqual(host["ejected_remaining_ms"], 1000)
        cluster = self.clusters()
        self.assertEqual((cluster["ejected_hosts"], cluster["max_ejected_hosts"]), (1, 1))

        seen = self.spread(20)
        self.assertEqual(set(seen), {"a", "c"})
        # b is back once its second is up (sweeps run every 0.1 s), not before.
        remaining = self.host("b")["ejected_remaining_ms"] / 1000
        took = self.wait_for_host("b", lambda host: host["health"] == "healthy", "back in rotation")
        self.assertGreaterEqual(took, remaining - 0.05)
        self.assertLess(took, remaining + 0.1 + SLACK)
        self.assertEqual(self.host("b")["ejected_remaining_ms"], 0)
        self.force_status("b", 0)
        self.assertIn("b", self.spread(20))

    def test_require_check_to_return_keeps_a_host_out_until_a_check_passes(self):
        # An unreachable unhealthy_threshold: only the ejection keeps b out.
        self.serve(http_check(unhealthy_threshold=1000, healthy_threshold=1) + """    outlier_detection:
      consecutive_5xx: 3
      base_ejection_time: 0.3s
      max_ejection_percent: 50
      require_check_to_return: true
""")
        self.force_status("b", 503)
        self.send_until_ejected("b")
        self.wait_for_host("b", lambda host: host["ejected_remaining_ms"] == 0, "done with its ejection time")
        # Two more failed probes after the time was up: still out.
        probes = self.upstreams["b"].stats()["requests_by_path"].get("/healthz", 0)
        self.assertTrue(wait_until(
            lambda: self.upstreams["b"].stats()["requests_by_path"].get("/healthz", 0) >= probes + 2, DEADLINE))
        self.assertEqual(self.host("b")["health"], "ejected")
        self.assertEqual(set(self.spread(10)), {"a", "c"})

        self.force_status("b", 0)
        took = self.wait_for_host("b", lambda host: host["health"] == "healthy", "back after a passing check")
        self.assertLess(took, CHECK_INTERVAL + CHECK_JITTER + SLACK)
        self.assertIn("b", self.spread(20))

    def test_max_ejection_percent_holds_when_every_host_fails(self):
        self.serve("""    outlier_detection:
      consecutive_5xx: 3
      base_ejection_time: 30s
      max_ejection_percent: 50
""")
        for name in self.upstreams:
            self.force_status(name, 503)
        failures = {name: 0 for name in self.upstreams}
        for name, statuses in self.spread(40).items():
            failures[name] += statuses.count(503)
        # The hosts left in rotation failed far more than three times in a row.
        self.assertGreaterEqual(sorted(failures.values())[1], 3 * 3, failures)
        cluster = self.clusters()
        ejected = [host for host in cluster["hosts"] if host["health"] == "ejected"]
        self.assertEqual(len(ejected), 1, cluster)  # 50% of 3 hosts, rounded down
        self.assertEqual((cluster["ejected_hosts"], cluster["max_ejected_hosts"]), (1, 1))

    # -- panic threshold --------------------------------------------------------

    def test_below_the_panic_threshold_traffic_spreads_over_every_host(self):
        self.serve(http_check(unhealthy_threshold=1, healthy_threshold=1))  # default threshold 50%
        self.force_status("b", 503)
        self.wait_for_host("b", lambda host: host["health"] == "failed_active_check", "out of rotation")
        self.assertFalse(self.clusters()["in_panic"])  # two of three healthy
        self.assertEqual(set(self.spread(20)), {"a", "c"})

        self.force_status("c", 503)
        self.wait_for_host("c", lambda host: host["health"] == "failed_active_check", "out of rotation")
        cluster = self.clusters()
        self.assertEqual((cluster["healthy_hosts"], cluster["in_panic"]), (1, True))
        self.assertEqual(cluster["healthy_panic_threshold"], 50)
        seen = self.spread(30)
        self.assertEqual(set(seen), {"a", "b", "c"})
        self.assertEqual(set(seen["b"] + seen["c"]), {503})

    def test_a_threshold_of_zero_never_panics_and_answers_503_uh_with_no_healthy_host(self):
        self.serve(http_check(unhealthy_threshold=1, healthy_threshold=1) + "    healthy_panic_threshold: 0\n")
        for name in ("a", "b"):
            self.force_status(name, 503)
            self.wait_for_host(name, lambda host: host["health"] == "failed_active_check", "out of rotation")
        cluster = self.clusters()
        self.assertEqual((cluster["healthy_hosts"], cluster["in_panic"]), (1, False))
        self.assertEqual(set(self.spread(20)), {"c"})  # one of three healthy takes everything

        self.force_status("c", 503)
        self.wait_for_host("c", lambda host: host["health"] == "failed_active_check", "out of rotation")
        served_before = sum(upstream.stats()["requests_by_path"].get("/echo", 0) for upstream in self.upstreams.values())
        response = exchange(self.port, path="/echo")
        self.assertEqual(response.status, 503)
        self.assertEqual(response.body, b"no healthy upstream\n")
        served_after = sum(upstream.stats()["requests_by_path"].get("/echo", 0) for upstream in self.upstreams.values())
        self.assertEqual(served_after, served_before)  # nothing was sent upstream

    def test_clusters_text_lists_every_host(self):
        self.serve("")
        response = exchange(self.admin_port, "GET", "/clusters")
        self.assertEqual(response.status, 200)
        text = response.body.decode()
        self.assertTrue(text.startswith("backend\n"), text)
        self.assertIn("  lb_policy: ROUND_ROBIN\n", text)
        self.assertIn("  health_check: none\n", text)
        for upstream in self.upstreams.values():
            self.assertIn(f"  host 127.0.0.1:{upstream.port} weight=1 health=healthy active_check=not_checked", text)


if __name__ == "__main__":
    main()
