"""modules/timeout and modules/retry as loadable filters on ABI 1.1, over real
sockets against the scriptable upstream: retries on failure, per-try and
route timeouts, host avoidance, request replay, the retry budget, hedging,
per-request overrides, host/examples/retry.yaml as shipped, and modules
built against the frozen ABI 1.0, 1.1 and 1.2 headers running beside them."""
import concurrent.futures
import hashlib
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (CURRENT_ABI, MODULE_DIR, SOURCE_ROOT, IntegrationTestCase, access_log_yaml,  # noqa: E402
                     echo_header_values, exchange, free_port, main, proxy_stats, wait_until)

ATTEMPT_HEADER = "x-switchyard-attempt-count"


def resilience_config(listener_port: int, admin_port: int, endpoints: list[int], retry: dict,
                      timeout: dict | None = None, route_timeout_ms: int | None = None,
                      replay_buffer_bytes: int | None = None, extra_filters: str = "",
                      route_retry: dict | None = None, access_log: str = "") -> str:
    """Listener → timeout filter → retry filter → every path to `backend`;
    `route_timeout_ms` and `route_retry` go into the route's
    filter_overrides; `access_log`, when given, is the access log's path."""
    timeout = timeout if timeout is not None else {"request_timeout_ms": 15000}
    retry = dict(retry, attempt_count_header=ATTEMPT_HEADER)
    overrides = {}
    if route_timeout_ms is not None:
        overrides["timeout"] = {"request_timeout_ms": route_timeout_ms}
    if route_retry is not None:
        overrides["retry"] = route_retry
    override = "".join(f"              {name}: {json.dumps(config)}\n" for name, config in overrides.items())
    if override:
        override = "            filter_overrides:\n" + override
    limits = (f"    limits: {{ request_replay_buffer_bytes: {replay_buffer_bytes} }}\n"
              if replay_buffer_bytes is not None else "")
    endpoint_lines = "".join(f"      - {{ address: 127.0.0.1, port: {port} }}\n" for port in endpoints)
    return f"""
admin:
  address: 127.0.0.1
  port: {admin_port}
listeners:
  - name: edge
    address: 127.0.0.1
    port: {listener_port}
{access_log_yaml(access_log) if access_log else ""}{limits}    filters:
      - name: timeout
        config: {json.dumps(timeout)}
      - name: retry
        config: {json.dumps(retry)}
{extra_filters}    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
          - name: everything
            match: {{ prefix: / }}
            route: {{ cluster: backend }}
{override}clusters:
  - name: backend
    connect_timeout: 1s
    endpoints:
{endpoint_lines}"""


class RetryTest(IntegrationTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.port = free_port()
        self.admin_port = free_port()
        self.access_log = os.path.join(self.workdir, "access.log")

    def serve(self, endpoints: list[int], retry: dict, **options) -> None:
        self.proxy = self.start_proxy(resilience_config(self.port, self.admin_port, endpoints, retry,
                                                        access_log=self.access_log, **options),
                                      self.port)

    def stats(self) -> dict:
        return proxy_stats(self.admin_port)

    # -- retry on failure ------------------------------------------------------

    def test_success_after_exactly_n_plus_one_attempts(self):
        upstream = self.start_upstream()
        self.serve([upstream.port], {"retry_on": ["5xx"], "num_retries": 3})
        response = exchange(self.port, path="/fail-first/2?key=a")
        self.assertEqual(response.status, 200)
        self.assertEqual(response.header("x-fail-first-attempt"), "3")
        self.assertEqual(echo_header_values(response.json(), ATTEMPT_HEADER), ["3"])
        upstream_stats = upstream.stats()
        self.assertEqual(upstream_stats["requests_by_path"]["/fail-first/2"], 3)
        # The rejected 503s were read to their end and their connection
        # reused: three attempts, one connection.
        self.assertEqual(upstream_stats["connections_accepted"], 1)
        stats = self.stats()
        self.assertEqual(stats["retry.retries"], 2)
        self.assertEqual(stats["retry.retry_success"], 1)
        # The cluster's live counters are back to idle: one pooled keep-alive
        # connection, nothing active, no retry left counted.
        self.assertEqual(stats["cluster.backend.active_requests"], 0)
        self.assertEqual(stats["cluster.backend.pending_requests"], 0)
        self.assertEqual(stats["cluster.backend.active_retries"], 0)
        self.assertEqual(stats["cluster.backend.active_connections"], 1)

    def test_route_override_changes_one_field_and_keeps_the_listeners_others(self):
        # The listener sets retry_on, num_retries and the attempt header; the
        # route lowers num_retries only. Three failures are then one too many,
        # and the attempts still carry the listener's attempt header.
        upstream = self.start_upstream()
        self.serve([upstream.port], {"retry_on": ["5xx"], "num_retries": 3, "backoff": {"base_interval_ms": 1}},
                   route_retry={"num_retries": 1})
        response = exchange(self.port, path="/fail-first/3?key=merged")
        self.assertEqual(response.status, 503)
        self.assertEqual(response.header("x-fail-first-attempt"), "2")
        response = exchange(self.port, path="/fail-first/1?key=merged-once")
        self.assertEqual(response.status, 200)
        self.assertEqual(echo_header_values(response.json(), ATTEMPT_HEADER), ["2"])

    def test_client_gets_the_last_failure_when_retries_run_out(self):
        upstream = self.start_upstream()
        self.serve([upstream.port], {"retry_on": ["5xx"], "num_retries": 3})
        response = exchange(self.port, path="/fail-first/9?key=b")
        self.assertEqual(response.status, 503)
        # The upstream's own response (status and body), not a proxy error.
        self.assertEqual(response.body, b"attempt 4 of key 'b' fails\n")
        self.assertEqual(upstream.stats()["requests_by_path"]["/fail-first/9"], 4)
        self.assertEqual(self.stats()["retry.retry_limit_exceeded"], 1)

    def test_non_retriable_status_is_not_retried(self):
        upstream = self.start_upstream()
        self.serve([upstream.port], {"retry_on": ["gateway-error"], "num_retries": 3})
        self.assertEqual(exchange(self.port, path="/status/500").status, 500)
        self.assertEqual(upstream.stats()["requests_by_path"]["/status/500"], 1)

    # -- timeouts ------------------------------------------------------------------

    def test_hung_upstream_per_try_timeouts_then_504(self):
        upstream = self.start_upstream()
        self.serve([upstream.port], {"retry_on": ["5xx"], "num_retries": 3, "per_try_timeout_ms": 300},
                   route_timeout_ms=3000)
        started = time.monotonic()
        response = exchange(self.port, path="/hang", timeout=10)
        elapsed = time.monotonic() - started
        self.assertEqual(response.status, 504)
        # Four tries of ~300 ms each, plus short back-offs; well inside the
        # 3000 ms route timeout.
        self.assertGreaterEqual(elapsed, 1.1)
        self.assertLess(elapsed, 3.2)
        self.assertEqual(upstream.stats()["requests_by_path"]["/hang"], 4)
        self.assertEqual(self.stats()["retry.per_try_timeouts"], 4)

    def test_route_timeout_of_3000_ms_ends_a_request_that_keeps_retrying(self):
        upstream = self.start_upstream()
        self.serve([upstream.port], {"retry_on": ["5xx"], "num_retries": 10, "per_try_timeout_ms": 800},
                   timeout={"request_timeout_ms": 500}, route_timeout_ms=3000)
        started = time.monotonic()
        response = exchange(self.port, path="/hang", timeout=10)
        elapsed = time.monotonic() - started
        self.assertEqual(response.status, 504)
        # The route's 3000 ms, not the listener's 500 ms, and not 11 tries.
        self.assertGreaterEqual(elapsed, 2.9)
        self.assertLess(elapsed, 3.6)
        self.assertEqual(self.stats()["timeout.request_timeouts"], 1)
        self.assertAccessLoggedSoon(self.access_log, "flags=UT")

    # -- hosts ------------------------------------------------------------------------

    def test_refused_host_is_retried_on_the_other_never_the_same(self):
        upstream = self.start_upstream()
        dead_port = free_port()  # nothing listens here
        self.serve([dead_port, upstream.port], {"retry_on": ["connect-failure"], "num_retries": 3})
        for _ in range(12):
            response = exchange(self.port, path="/echo")
            self.assertEqual(response.status, 200)
            # At most one failed try before the live host: the dead one is
            # never tried twice for one request.
            attempt = int(echo_header_values(response.json(), ATTEMPT_HEADER)[0])
            self.assertIn(attempt, (1, 2))
        # Round robin sent half of the first tries to the dead host.
        self.assertGreaterEqual(self.stats()["retry.retries"], 5)

    # -- request replay -------------------------------------------------------------

    def test_small_post_is_replayed_byte_exact_large_one_is_not_retried(self):
        upstream = self.start_upstream()
        self.serve([upstream.port], {"retry_on": ["5xx"], "num_retries": 2, "retry_non_idempotent": True},
                   replay_buffer_bytes=65536)
        small = os.urandom(40_000)
        response = exchange(self.port, "POST", "/fail-first/1?key=small", body=small)
        self.assertEqual(response.status, 200)
        echo = response.json()
        self.assertEqual(echo["body_length"], len(small))
        self.assertEqual(echo["body_sha256"], hashlib.sha256(small).hexdigest())
        self.assertEqual(upstream.stats()["requests_by_path"]["/fail-first/1"], 2)

        upstream.reset_stats()
        large = os.urandom(200_000)
        response = exchange(self.port, "POST", "/fail-first/1?key=large", body=large)
        self.assertEqual(response.status, 503, "a body larger than the replay buffer must not be retried")
        self.assertEqual(upstream.stats()["requests_by_path"]["/fail-first/1"], 1)
        self.assertGreaterEqual(self.stats()["retry.not_replayable"], 1)

    def test_post_is_not_retried_unless_configured(self):
        upstream = self.start_upstream()
        self.serve([upstream.port], {"retry_on": ["5xx"], "num_retries": 2})
        response = exchange(self.port, "POST", "/fail-first/1?key=post", body=b"x" * 100)
        self.assertEqual(response.status, 503)
        self.assertEqual(upstream.stats()["requests_by_path"]["/fail-first/1"], 1)

    # -- budget ------------------------------------------------------------------------

    def test_retries_stay_within_the_budget_under_concurrency(self):
        upstream = self.start_upstream()
        clients = 20
        self.serve([upstream.port], {"retry_on": ["5xx"], "num_retries": 3,
                                     "backoff": {"base_interval_ms": 1, "max_interval_ms": 2},
                                     "budget": {"percent": 20.0, "min_concurrency": 3}})
        with concurrent.futures.ThreadPoolExecutor(clients) as pool:
            statuses = list(pool.map(lambda _: exchange(self.port, path="/status/503?delay_ms=300",
                                                         timeout=10).status, range(clients)))
        self.assertEqual(statuses, [503] * clients)
        upstream_stats = upstream.stats()
        # 20 active requests allow max(3, 20% of 20) = 4 concurrent retries.
        self.assertLessEqual(upstream_stats["max_requests_in_flight"], clients + 4)
        stats = self.stats()
        self.assertGreater(stats["retry.retry_overflow"], 0)
        self.assertEqual(upstream_stats["requests"], clients + stats["retry.retries"])
        # Without the budget every request would have been tried 4 times.
        self.assertLess(upstream_stats["requests"], clients * 4)

    # -- hedging -----------------------------------------------------------------------

    def test_hedge_on_per_try_timeout_fast_host_wins(self):
        slow = self.start_upstream("slow")
        fast = self.start_upstream("fast")
        self.serve([slow.port, fast.port], {"retry_on": ["5xx"], "num_retries": 1, "per_try_timeout_ms": 200,
                                            "hedge": {"on_per_try_timeout": True}})
        for _ in range(4):
            started = time.monotonic()
            response = exchange(self.port, path="/slow-on/slow/3000", timeout=10)
            elapsed = time.monotonic() - started
            self.assertEqual(response.status, 200)
            self.assertEqual(response.header("x-upstream-name"), "fast")
            self.assertLess(elapsed, 1.5)
        stats = self.stats()
        self.assertGreaterEqual(stats["retry.hedges"], 1)
        # The slow attempts were cancelled: their connections are closed
        # rather than left waiting for the slow answer.
        self.assertTrue(wait_until(lambda: slow.stats()["connections_open"] == 0, 3),
                        f"slow host still has open connections: {slow.stats()}")

    def test_initial_hedge_sends_two_attempts_up_front(self):
        slow = self.start_upstream("slow")
        fast = self.start_upstream("fast")
        self.serve([slow.port, fast.port], {"retry_on": ["5xx"], "num_retries": 1,
                                            "hedge": {"initial_requests": 2}})
        started = time.monotonic()
        response = exchange(self.port, path="/slow-on/slow/3000", timeout=10)
        self.assertEqual(response.status, 200)
        self.assertEqual(response.header("x-upstream-name"), "fast")
        # No per-try timeout to wait for: both hosts had the request at once.
        self.assertLess(time.monotonic() - started, 1.0)
        self.assertEqual(slow.stats()["requests"], 1)
        self.assertEqual(fast.stats()["requests"], 1)
        self.assertEqual(self.stats()["retry.hedges"], 1)

    # -- request overrides -------------------------------------------------------------

    def test_request_headers_choose_retry_policy_only_when_allowed(self):
        upstream = self.start_upstream()
        self.serve([upstream.port], {"retry_on": ["5xx"], "num_retries": 2, "request_overrides": True})
        no_retries = [("x-switchyard-max-retries", "0")]
        self.assertEqual(exchange(self.port, path="/fail-first/1?key=o1", headers=no_retries).status, 503)
        self.assertEqual(exchange(self.port, path="/fail-first/1?key=o2").status, 200)
        # retry_on from the request: a 503 is not a connect failure.
        only_connect = [("x-switchyard-retry-on", "connect-failure")]
        self.assertEqual(exchange(self.port, path="/fail-first/1?key=o3", headers=only_connect).status, 503)

    # -- the shipped example ------------------------------------------------------------

    def test_retry_yaml_example_works_as_written(self):
        upstream = self.start_upstream()
        with open(os.path.join(SOURCE_ROOT, "host", "examples", "retry.yaml")) as example:
            text = example.read()
        # Only the ports change, so that tests can run side by side.
        for fixed, port in (("port: 10000", self.port), ("port: 18080", upstream.port),
                            ("port: 9901", self.admin_port)):
            self.assertIn(fixed, text)
            text = text.replace(fixed, f"port: {port}")
        self.proxy = self.start_proxy(text, self.port)
        response = exchange(self.port, path="/fail-first/2?key=example")
        self.assertEqual(response.status, 200)
        self.assertEqual(response.header("x-fail-first-attempt"), "3")
        started = time.monotonic()
        self.assertEqual(exchange(self.port, path="/hang", timeout=10).status, 504)
        self.assertLess(time.monotonic() - started, 3.2)
        self.assertEqual(upstream.stats()["requests_by_path"]["/hang"], 4)

    # -- modules built against older ABI minors beside the current ones ---------------------

    def test_module_built_against_abi_1_0_runs_in_the_current_host(self):
        upstream = self.start_upstream()
        fixture = os.path.join(os.path.dirname(MODULE_DIR), "test", "abi", "old_abi_1_0.so")
        self.assertTrue(os.path.exists(fixture), fixture)
        extra = f"      - name: old\n        path: {fixture}\n"
        self.serve([upstream.port], {"retry_on": ["5xx"], "num_retries": 2}, extra_filters=extra)
        response = exchange(self.port, path="/fail-first/1?key=old")
        self.assertEqual(response.status, 200)
        self.assertEqual(response.header("x-built-against"), "switchyard ABI 1.0")
        modules = json.loads(exchange(self.admin_port, path="/modules").body)
        abi_by_name = {module["name"]: module["abi"] for module in modules}
        self.assertEqual(abi_by_name["old_abi_1_0"], "1.0")
        self.assertEqual(abi_by_name["retry"], CURRENT_ABI)

    def test_a_retrying_listener_keeps_a_replay_copy_of_each_request(self):
        upstream = self.start_upstream()
        self.serve([upstream.port], {"retry_on": ["5xx"], "num_retries": 1})
        for _ in range(3):
            self.assertEqual(exchange(self.port, method="POST", path="/echo", body=b"kept").status, 200)
        self.assertEqual(self.stats()["upstream_rq_replay_kept"], 3)

    def test_modules_built_against_abi_1_0_1_1_and_1_2_run_beside_the_current_modules(self):
        upstream = self.start_upstream()
        fixtures = os.path.join(os.path.dirname(MODULE_DIR), "test", "abi")
        old12_config = json.dumps({"retry_status": 503, "tag": "beside"})
        extra = (f"      - name: old10\n        path: {os.path.join(fixtures, 'old_abi_1_0.so')}\n"
                 f"      - name: old11\n        path: {os.path.join(fixtures, 'old_abi_1_1.so')}\n"
                 f"      - name: old12\n        path: {os.path.join(fixtures, 'old_abi_1_2.so')}\n"
                 f"        config: {old12_config}\n")
        self.serve([upstream.port], {"retry_on": ["5xx"], "num_retries": 1}, extra_filters=extra)
        # The retry module, the 1.1 module and the 1.2 module all retry a 503.
        # attempt_finished runs in listener order, so the retry module takes
        # the first retry (the others' calls find it pending); its one retry
        # spent and the 1.1 module retrying only attempt 1, the second 503 is
        # retried by the 1.2 module alone: without it the client would get it.
        response = exchange(self.port, path="/fail-first/2?key=old12")
        self.assertEqual(response.status, 200)
        self.assertEqual(response.header("x-built-against"), "switchyard ABI 1.0")
        self.assertEqual(response.header("x-built-against-1-1"), "switchyard ABI 1.1")
        self.assertEqual(response.header("x-attempts-seen-by-1-1"), "3")
        self.assertEqual(response.header("x-built-against-1-2"), "switchyard ABI 1.2")
        self.assertEqual(response.header("x-attempts-seen-by-1-2"), "3")
        self.assertEqual(response.header("x-retried-by-1-2"), "yes")
        self.assertEqual(response.header("x-tag-1-2"), "beside")
        self.assertEqual(upstream.stats()["requests_by_path"]["/fail-first/2"], 3)
        modules = json.loads(exchange(self.admin_port, path="/modules").body)
        abi_by_name = {module["name"]: module["abi"] for module in modules}
        self.assertEqual(abi_by_name["old_abi_1_0"], "1.0")
        self.assertEqual(abi_by_name["old_abi_1_1"], "1.1")
        self.assertEqual(abi_by_name["old_abi_1_2"], "1.2")
        self.assertEqual(abi_by_name["timeout"], CURRENT_ABI)
        self.assertEqual(abi_by_name["retry"], CURRENT_ABI)

    def test_a_1_3_module_refuses_a_host_and_reports_to_the_admin_api(self):
        refused = self.start_upstream("refused")
        chosen = self.start_upstream("chosen")
        fixture = os.path.join(os.path.dirname(MODULE_DIR), "test", "abi", "old_abi_1_3.so")
        old13_config = json.dumps({"refuse_host": f"127.0.0.1:{refused.port}"})
        extra = f"      - name: old13\n        path: {fixture}\n        config: {old13_config}\n"
        self.serve([refused.port, chosen.port], {"retry_on": ["5xx"], "num_retries": 1}, extra_filters=extra)
        for _ in range(6):
            response = exchange(self.port, path="/echo")
            self.assertEqual(response.status, 200)
            self.assertEqual(response.header("x-built-against-1-3"), "switchyard ABI 1.3")
            self.assertEqual(response.header("x-answered-by-1-3"), f"127.0.0.1:{chosen.port}")
            self.assertEqual(response.header("x-idle-field-read-1-3"), "yes")
        self.assertEqual(refused.stats()["requests_by_path"], {})
        clusters = json.loads(exchange(self.admin_port, path="/clusters?format=json").body)
        backend = next(cluster for cluster in clusters["clusters"] if cluster["name"] == "backend")
        # How often the balancer offered the refused host depends on the
        # policy's cursor (at most once per request); the report counts them.
        self.assertIn(backend["old_abi_1_3.refused"], range(1, 7))
        modules = json.loads(exchange(self.admin_port, path="/modules").body)
        self.assertEqual({module["name"]: module["abi"] for module in modules}["old_abi_1_3"], "1.3")

    def test_a_1_1_module_with_attempt_finished_still_gets_request_replay(self):
        upstream = self.start_upstream()
        fixture = os.path.join(os.path.dirname(MODULE_DIR), "test", "abi", "old_abi_1_1.so")
        config = f"""
listeners:
  - name: edge
    address: 127.0.0.1
    port: {self.port}
    filters:
      - name: old11
        path: {fixture}
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
          - match: {{ prefix: / }}
            route: {{ cluster: backend }}
clusters:
  - name: backend
    endpoints:
      - {{ address: 127.0.0.1, port: {upstream.port} }}
"""
        self.proxy = self.start_proxy(config, self.port)
        response = exchange(self.port, method="POST", path="/fail-first/1?key=replay11", body=b"kept for replay")
        self.assertEqual(response.status, 200)
        self.assertEqual(response.header("x-attempts-seen-by-1-1"), "2")
        self.assertEqual(upstream.stats()["requests_by_path"]["/fail-first/1"], 2)

    def test_a_1_2_module_asking_for_request_replay_retries_through_the_host(self):
        upstream = self.start_upstream()
        fixture = os.path.join(os.path.dirname(MODULE_DIR), "test", "abi", "old_abi_1_2.so")
        config = f"""
admin:
  address: 127.0.0.1
  port: {self.admin_port}
listeners:
  - name: edge
    address: 127.0.0.1
    port: {self.port}
{access_log_yaml(self.access_log)}    filters:
      - name: old12
        path: {fixture}
        config: {{ retry_status: 503, tag: alone }}
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
          - match: {{ prefix: / }}
            route: {{ cluster: backend }}
clusters:
  - name: backend
    endpoints:
      - {{ address: 127.0.0.1, port: {upstream.port} }}
"""
        self.proxy = self.start_proxy(config, self.port)
        # The only filter, and its capability is what keeps the body for replay.
        response = exchange(self.port, method="POST", path="/fail-first/1?key=replay12", body=b"kept for replay")
        self.assertEqual(response.status, 200)
        self.assertEqual(response.header("x-attempts-seen-by-1-2"), "2")
        self.assertEqual(response.header("x-retried-by-1-2"), "yes")
        self.assertEqual(response.header("x-tag-1-2"), "alone")
        self.assertEqual(upstream.stats()["requests_by_path"]["/fail-first/1"], 2)
        # Its one retry spent, the second 503 goes to the client, flagged URX.
        response = exchange(self.port, path="/fail-first/2?key=twice12")
        self.assertEqual(response.status, 503)
        self.assertEqual(response.header("x-attempts-seen-by-1-2"), "2")
        self.assertEqual(upstream.stats()["requests_by_path"]["/fail-first/2"], 2)
        self.assertAccessLoggedSoon(self.access_log, "flags=URX")
        self.assertEqual(self.stats()["upstream_rq_replay_kept"], 2)


if __name__ == "__main__":
    main()
