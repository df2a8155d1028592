"""modules/fault over real sockets against a real upstream process: chances
that hold over 2000 requests, delays that last their time and end when the
client goes away, aborts that never reach the upstream, scoping by cluster,
header and caller, faults asked for by request headers, the response rate
limit (its rate, and the proxy's memory while it holds a large body back),
the cap on faults in flight across workers, host/examples/fault.yaml, and
the runtime override through the admin API's POST /runtime_modify. Flags
and details are read from an access log file."""
import concurrent.futures
import hashlib
import json
import os
import sys
import threading
import time
from unittest import mock

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (MODULE_DIR, SOURCE_ROOT, IntegrationTestCase, RawClient, access_log_yaml, exchange,  # noqa: E402
                     free_port, main, proxy_stats, request_bytes, run_switchyard, vmrss_kib, wait_until)

CALLER = "x-switchyard-downstream-service"


def fault_config(listener_port: int, admin_port: int, upstream_port: int, fault: dict, access_log: str,
                 limits: str = "", routes: list[tuple[str, str, dict | None]] | None = None) -> str:
    """One listener with the fault filter in front of clusters `a` and
    `backend` (both the one upstream); `routes` are (prefix, cluster, the
    route's fault override or None)."""
    routes = routes or [("/", "backend", None)]
    route_lines = ""
    for index, (prefix, cluster, override) in enumerate(routes):
        route_lines += (f"          - name: r{index}\n"
                        f"            match: {{ prefix: \"{prefix}\" }}\n"
                        f"            route: {{ cluster: {cluster}, prefix_rewrite: / }}\n")
        if override is not None:
            route_lines += f"            filter_overrides: {{ fault: {json.dumps(override)} }}\n"
    clusters = "".join(f"  - name: {name}\n    connect_timeout: 1s\n    endpoints:\n"
                       f"      - {{ address: 127.0.0.1, port: {upstream_port} }}\n" for name in ("a", "backend"))
    return f"""
admin:
  address: 127.0.0.1
  port: {admin_port}
listeners:
  - name: edge
    address: 127.0.0.1
    port: {listener_port}
{limits}
{access_log_yaml(access_log)}    filters:
      - name: fault
        config: {json.dumps(fault)}
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
{route_lines}clusters:
{clusters}"""


class FaultTest(IntegrationTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.port = free_port()
        self.admin_port = free_port()
        self.upstream = self.start_upstream()
        self.access_log = os.path.join(self.workdir, "access.log")

    def serve(self, fault: dict, concurrency: int = 1, **options) -> None:
        config = fault_config(self.port, self.admin_port, self.upstream.port, fault, self.access_log, **options)
        self.proxy = self.start_proxy(config, self.port, concurrency=concurrency)

    def stat(self, name: str) -> int:
        return proxy_stats(self.admin_port).get(f"fault.{name}", 0)

    def timed(self, path: str = "/echo", headers=None, timeout: float = 10.0) -> tuple[int, float]:
        started = time.monotonic()
        response = exchange(self.port, path=path, headers=headers, timeout=timeout)
        return response.status, time.monotonic() - started

    # ---- chances, delays, aborts ------------------------------------------

    def test_percentages_hold_over_2000_requests(self):
        # Seeded, one worker: the run is the same every time. The tolerances
        # are still set as for true randomness: about 4 standard deviations
        # of a binomial over 2000 (20%: sd 17.9; 10%: sd 13.4).
        self.serve({"abort": {"http_status": 503, "percent": 20},
                    "delay": {"fixed_delay": "1ms", "percentage": {"numerator": 1000, "denominator": "TEN_THOUSAND"}},
                    "seed": 12345})
        statuses = {200: 0, 503: 0}
        with RawClient(self.port, timeout=10) as client:
            for _ in range(2000):
                client.send(request_bytes("GET", "/echo"))
                response = client.read_response()
                statuses[response.status] += 1
                if response.status == 503:
                    self.assertEqual(response.body, b"fault filter abort\n")
        print(f"\n2000 requests: {statuses[503]} aborted (20% expected: 400 +- 75), "
              f"{self.stat('delays_injected')} delayed (10%: 200 +- 55)", file=sys.stderr)
        self.assertEqual(statuses[200] + statuses[503], 2000)
        self.assertLess(abs(statuses[503] - 400), 75)
        self.assertLess(abs(self.stat("delays_injected") - 200), 55)
        self.assertEqual(self.stat("aborts_injected"), statuses[503])
        self.assertEqual(self.upstream.stats()["requests"], statuses[200], "no abort reached the upstream")
        self.assertEqual(self.stat("active_faults"), 0)

    def test_an_abort_never_reaches_the_upstream_and_the_log_says_it_was_injected(self):
        self.serve({"abort": {"http_status": 503, "percent": 100}})
        for _ in range(20):
            response = exchange(self.port, path="/echo")
            self.assertEqual(response.status, 503)
            self.assertEqual(response.body, b"fault filter abort\n")
        self.assertEqual(self.upstream.stats()["requests"], 0)
        self.assertAccessLoggedSoon(self.access_log, "flags=FI attempts=0 upstream=- details=fault_abort")

    def test_a_delay_lasts_its_time_and_ends_cleanly_when_the_client_goes_away(self):
        self.serve({"delay": {"fixed_delay": "300ms", "percent": 100}},
                   routes=[("/long/", "backend", {"delay": {"fixed_delay": "30s"}}), ("/", "backend", None)])
        status, elapsed = self.timed()
        self.assertEqual(status, 200)
        self.assertGreaterEqual(elapsed, 0.3)
        self.assertLess(elapsed, 2.0)
        self.assertAccessLoggedSoon(self.access_log, "flags=DI")
        self.upstream.reset_stats()
        with RawClient(self.port) as client:
            client.send(request_bytes("GET", "/long/echo"))
            self.assertTrue(wait_until(lambda: self.stat("active_faults") == 1, 5), "the delay never started")
        self.assertTrue(wait_until(lambda: self.stat("active_faults") == 0, 5),
                        "the fault stayed active after its client left")
        self.assertAccessLoggedSoon(self.access_log, "flags=DI,DC")
        self.assertEqual(self.upstream.stats()["requests"], 0, "the upstream never saw the abandoned request")
        self.assertTrue(self.proxy.alive())

    # ---- scope, headers ----------------------------------------------------

    def test_only_the_given_cluster_matching_headers_and_listed_callers_get_faults(self):
        self.serve({"abort": {"http_status": 503}, "upstream_cluster": "a",
                    "headers": [{"name": "x-fault", "exact_match": "yes"}], "downstream_nodes": ["checkout"]},
                   routes=[("/a/", "a", None), ("/", "backend", None)])
        scoped = [("x-fault", "yes"), (CALLER, "checkout")]
        self.assertEqual(exchange(self.port, path="/a/echo", headers=scoped).status, 503)
        self.assertEqual(exchange(self.port, path="/echo", headers=scoped).status, 200, "another cluster")
        self.assertEqual(exchange(self.port, path="/a/echo", headers=[(CALLER, "checkout")]).status, 200,
                         "no x-fault header")
        self.assertEqual(exchange(self.port, path="/a/echo", headers=[("x-fault", "no"), (CALLER, "checkout")]).status,
                         200, "x-fault is not yes")
        self.assertEqual(exchange(self.port, path="/a/echo", headers=[("x-fault", "yes"), (CALLER, "cart")]).status,
                         200, "another caller")
        self.assertEqual(exchange(self.port, path="/a/echo", headers=[("x-fault", "yes")]).status, 200, "no caller")
        self.assertEqual(self.stat("aborts_injected"), 1)

    def test_fault_headers_are_ignored_unless_enabled_and_capped_when_enabled(self):
        off = {"header_control": {"enabled": False, "max_delay": "300ms", "allowed_statuses": [503]}}
        self.serve(off, routes=[("/on/", "backend", {"header_control": {"enabled": True}}), ("/", "backend", None)])
        abort = [("x-envoy-fault-abort-request", "503")]
        self.assertEqual(exchange(self.port, path="/echo", headers=abort).status, 200, "off by default")
        status, elapsed = self.timed(headers=[("x-envoy-fault-delay-request", "5000")])
        self.assertLess(elapsed, 0.3, "a delay header is ignored while off")
        self.assertEqual(exchange(self.port, path="/on/echo", headers=abort).status, 503)
        self.assertEqual(exchange(self.port, path="/on/echo", headers=[("x-envoy-fault-abort-request", "418")]).status,
                         200, "418 is not an allowed status")
        status, elapsed = self.timed("/on/echo", headers=[("x-envoy-fault-delay-request", "5000")])
        self.assertEqual(status, 200)
        self.assertGreaterEqual(elapsed, 0.3)
        self.assertLess(elapsed, 2.5, "5000 ms asked for, capped at max_delay: 300ms")
        self.assertEqual(exchange(self.port, path="/on/echo",
                                  headers=abort + [("x-envoy-fault-abort-request-percentage", "0")]).status, 200)

    # ---- the response rate limit -------------------------------------------

    def test_the_rate_limit_bounds_the_body_rate(self):
        self.serve({"response_rate_limit": {"fixed_limit": {"limit_kbps": 128}, "percent": 100}})
        size = 384 * 1024  # 3 s at 128 KiB/s
        started = time.monotonic()
        response = exchange(self.port, path=f"/bytes/{size}", timeout=10)
        elapsed = time.monotonic() - started
        print(f"\n{size} bytes at 128 KiB/s: {elapsed:.2f} s (3.0 s expected)", file=sys.stderr)
        self.assertEqual(response.status, 200)
        self.assertEqual(hashlib.sha256(response.body).hexdigest(), response.header("x-body-sha256"))
        self.assertGreaterEqual(elapsed, 2.8)
        self.assertLess(elapsed, 6.0)
        self.assertEqual(self.stat("response_rate_limited"), 1)

    def test_a_throttled_large_body_keeps_the_proxy_memory_flat(self):
        # 24 MiB at 6 MiB/s (4 s) through a 256 KiB watermark: the host holds
        # at most about the watermark for the filter and stops reading the
        # upstream beyond it, so RSS grows by far less than the body.
        # Under AddressSanitizer freed memory waits in a quarantine (256 MiB
        # by default), so RSS would grow with every byte that passed through;
        # this test measures what the proxy holds, so the quarantine is off.
        asan_options = os.environ.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=0"
        with mock.patch.dict(os.environ, {"ASAN_OPTIONS": asan_options.lstrip(":")}):
            self.serve({"response_rate_limit": {"fixed_limit": {"limit_kbps": 6144}}},
                       limits="    limits: { max_buffer_bytes: 262144 }")
        self.assertEqual(exchange(self.port, path="/bytes/100000").status, 200)
        baseline_kib = vmrss_kib(self.proxy.pid)
        size = 24 * 1024 * 1024
        peak_kib = baseline_kib
        done = threading.Event()

        def sample_rss():
            nonlocal peak_kib
            while not done.is_set():
                peak_kib = max(peak_kib, vmrss_kib(self.proxy.pid))
                time.sleep(0.05)

        sampler = threading.Thread(target=sample_rss)
        sampler.start()
        digest = hashlib.sha256()
        started = time.monotonic()
        try:
            with RawClient(self.port, timeout=10) as client:
                client.send(request_bytes("GET", f"/bytes/{size}"))
                response = client.read_response(sink=digest.update)
        finally:
            done.set()
            sampler.join()
        elapsed = time.monotonic() - started
        growth_kib = peak_kib - baseline_kib
        print(f"\n{size >> 20} MiB throttled to 6 MiB/s: {elapsed:.2f} s, RSS {baseline_kib} KiB -> peak "
              f"{peak_kib} KiB (+{growth_kib} KiB)", file=sys.stderr)
        self.assertEqual(response.status, 200)
        self.assertEqual(digest.hexdigest(), response.header("x-body-sha256"))
        self.assertGreaterEqual(elapsed, 3.6)
        self.assertLess(growth_kib, 8 * 1024)

    # ---- max_active_faults ---------------------------------------------------

    def test_max_active_faults_caps_faults_in_flight_across_workers(self):
        self.serve({"delay": {"fixed_delay": "2s"}, "max_active_faults": 3}, concurrency=2)
        with concurrent.futures.ThreadPoolExecutor(max_workers=12) as pool:
            results = list(pool.map(lambda _: self.timed(), range(12)))
        delayed = sum(1 for status, elapsed in results if elapsed >= 1.9)
        quick = sum(1 for status, elapsed in results if elapsed < 1.0)
        self.assertEqual([status for status, _ in results], [200] * 12)
        self.assertEqual((delayed, quick), (3, 9))
        self.assertEqual(self.stat("delays_injected"), 3)
        self.assertEqual(self.stat("faults_overflow"), 9)
        self.assertTrue(wait_until(lambda: self.stat("active_faults") == 0, 3))

    # ---- the example, the runtime override -----------------------------------

    def test_fault_yaml_example_checks_and_works_as_written(self):
        path = os.path.join(SOURCE_ROOT, "host", "examples", "fault.yaml")
        result = run_switchyard(["-c", path, "--check", "--module-path", MODULE_DIR])
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(path) as example:
            text = example.read()
        for fixed in ("fixed_delay: 20s", "percent: 50", "http_status: 503", "percent: 20", "enabled: false"):
            self.assertIn(fixed, text)
        for fixed, port in (("port: 10000", self.port), ("port: 18080", self.upstream.port),
                            ("port: 9901", self.admin_port)):
            self.assertIn(fixed, text)
            text = text.replace(fixed, f"port: {port}")
        self.proxy = self.start_proxy(text, self.port)
        # Without the 20 s delays (runtime), as the comments in the file show.
        switched = exchange(self.admin_port, method="POST",
                            path="/runtime_modify?fault.delay.percent=0&fault.abort.percent=100")
        self.assertEqual(switched.status, 200, switched.body)
        for _ in range(5):
            status, elapsed = self.timed()
            self.assertEqual(status, 503)
            self.assertLess(elapsed, 1.0)
        self.assertEqual(self.upstream.stats()["requests"], 0)
        # The example's access log goes to stdout, which the harness keeps.
        self.assertTrue(wait_until(lambda: "GET /echo 503 flags=FI" in self.proxy.read_log(), 2.0),
                        self.proxy.read_log()[-2000:])

    def test_runtime_override_takes_effect_without_restart(self):
        self.serve({"abort": {"http_status": 503, "percent": 0}})
        self.assertEqual(exchange(self.port, path="/echo").status, 200)
        pid = self.proxy.pid
        modified = exchange(self.admin_port, method="POST", path="/runtime_modify?fault.abort.percent=100")
        self.assertEqual(modified.status, 200, modified.body)
        for _ in range(5):
            self.assertEqual(exchange(self.port, path="/echo").status, 503)
        exchange(self.admin_port, method="POST", path="/runtime_modify?fault.abort.http_status=418")
        self.assertEqual(exchange(self.port, path="/echo").status, 418)
        exchange(self.admin_port, method="POST", path="/runtime_modify?fault.abort.percent=0")
        self.assertEqual(exchange(self.port, path="/echo").status, 200)
        self.assertEqual(self.proxy.pid, pid)
        self.assertTrue(self.proxy.alive())


if __name__ == "__main__":
    main()
