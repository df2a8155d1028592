"""modules/timeout over real sockets: the whole-request timeout (listener and
per route, a route's override merged into the listener's config), the stream
idle timeout, a deadline header that lowers the
timeout and the time left told to the upstream, and what the client and the
upstream connection see when it fires."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (IntegrationTestCase, RawClient, access_log_yaml, echo_header_values, exchange, free_port,  # noqa: E402
                     main, proxy_stats, request_bytes)


def timeout_config(listener_port: int, upstream_port: int, timeout: str, route_override: str = "",
                   access_log: str = "") -> str:
    return f"""
listeners:
  - name: edge
    port: {listener_port}
{access_log_yaml(access_log) if access_log else ""}    filters:
      - name: timeout
        config: {timeout}
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
          - name: patient
            match: {{ prefix: /patient/ }}
            route: {{ cluster: backend, prefix_rewrite: / }}
{route_override}
          - name: everything
            match: {{ prefix: / }}
            route: {{ cluster: backend }}
clusters:
  - name: backend
    connect_timeout: 1s
    endpoints:
      - {{ address: 127.0.0.1, port: {upstream_port} }}
"""


class TimeoutTest(IntegrationTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.upstream = self.start_upstream()
        self.port = free_port()
        self.access_log = os.path.join(self.workdir, "access.log")

    def serve(self, timeout: str, route_override: str = ""):
        self.proxy = self.start_proxy(timeout_config(self.port, self.upstream.port, timeout, route_override,
                                                     self.access_log),
                                      self.port)

    def timed_exchange(self, path: str, headers=None):
        started = time.monotonic()
        response = exchange(self.port, path=path, headers=headers, timeout=10)
        return response, time.monotonic() - started

    def replay_copies(self) -> int:
        stats = proxy_stats(self.admin_port)
        if "upstream_rq_replay_kept" not in stats:
            self.fail("no upstream_rq_replay_kept in /stats")
        return stats["upstream_rq_replay_kept"]

    def test_a_timeout_only_listener_keeps_no_replay_copy_of_requests(self):
        # The timeout module implements attempt_finished (to restart its idle
        # clock) but never retries: its listener must not pay for replay.
        self.admin_port = free_port()
        admin = f"admin: {{ address: 127.0.0.1, port: {self.admin_port} }}\n"
        self.proxy = self.start_proxy(admin + timeout_config(self.port, self.upstream.port, "{ request_timeout_ms: 5000 }"),
                                      self.port)
        for _ in range(3):
            response = exchange(self.port, method="POST", path="/echo", body=b"x" * 4096)
            self.assertEqual(response.status, 200)
        self.assertEqual(self.replay_copies(), 0)

    def test_request_timeout_answers_504_and_drops_the_upstream_connection(self):
        self.serve("{ request_timeout_ms: 500 }")
        response, elapsed = self.timed_exchange("/delay/3000")
        self.assertEqual(response.status, 504)
        self.assertEqual(response.body, b"upstream request timeout\n")
        self.assertGreaterEqual(elapsed, 0.45)
        self.assertLess(elapsed, 1.5)
        self.assertAccessLoggedSoon(self.access_log, "flags=UT")
        # The timed-out connection is closed, not returned to the pool: the
        # next request needs a new one.
        self.upstream.reset_stats()
        self.assertEqual(exchange(self.port, path="/echo").status, 200)
        self.assertEqual(self.upstream.stats()["connections_accepted"], 1)

    def test_route_override_gives_one_route_a_longer_timeout(self):
        self.serve("{ request_timeout_ms: 300 }",
                   "            filter_overrides:\n              timeout: { request_timeout_ms: 3000 }")
        response, _ = self.timed_exchange("/patient/delay/800")
        self.assertEqual(response.status, 200)
        response, _ = self.timed_exchange("/delay/800")
        self.assertEqual(response.status, 504)

    def test_route_override_changes_one_field_and_keeps_the_listeners_others(self):
        # The listener sets two fields; the route overrides one. The merged
        # config has the route's timeout and the listener's header.
        self.serve("{ request_timeout_ms: 300, propagate_timeout_header: x-time-left-ms }",
                   "            filter_overrides:\n              timeout: { request_timeout_ms: \"4s\" }")
        response, _ = self.timed_exchange("/patient/delay/800")
        self.assertEqual(response.status, 200)
        left = int(echo_header_values(response.json(), "x-time-left-ms")[0])
        self.assertGreater(left, 3000)
        self.assertLessEqual(left, 4000)
        response, _ = self.timed_exchange("/delay/800")
        self.assertEqual(response.status, 504)

    def test_zero_disables_the_timeout(self):
        self.serve("{ request_timeout_ms: 0 }")
        response, elapsed = self.timed_exchange("/delay/600")
        self.assertEqual(response.status, 200)
        self.assertGreaterEqual(elapsed, 0.55)

    def test_timeout_after_response_headers_resets_the_stream(self):
        self.serve("{ request_timeout_ms: 400 }")
        with RawClient(self.port, timeout=5) as client:
            # 4 MiB sent with a 200 ms pause every 64 KiB: headers go out at
            # once, the body takes far longer than the timeout.
            client.send(request_bytes("GET", "/bytes/4194304?slow_ms=200"))
            head = b""
            while b"\r\n\r\n" not in head:
                piece = client.read_some()
                self.assertTrue(piece, "closed before the response head")
                head += piece
            self.assertTrue(head.startswith(b"HTTP/1.1 200"))
            received = len(head)
            started = time.monotonic()
            while True:
                piece = client.read_some()
                if not piece:
                    break
                received += len(piece)
            self.assertLess(received, 4194304, "the whole body arrived despite the timeout")
            self.assertLess(time.monotonic() - started, 2.0)

    def test_idle_timeout_fires_when_nothing_moves(self):
        self.serve("{ request_timeout_ms: 0, idle_timeout_ms: 300 }")
        response, elapsed = self.timed_exchange("/delay/2000")
        self.assertEqual(response.status, 504)
        self.assertLess(elapsed, 1.2)
        self.assertAccessLoggedSoon(self.access_log, "flags=SI")
        # A response that keeps moving is not idle, however long it takes.
        response, elapsed = self.timed_exchange("/bytes/1048576?slow_ms=100")
        self.assertEqual(response.status, 200)
        self.assertEqual(len(response.body), 1048576)
        self.assertGreater(elapsed, 1.0)

    def test_trusted_header_lowers_the_timeout_and_time_left_is_propagated(self):
        self.serve("{ request_timeout_ms: 5000, trusted_timeout_header: x-request-timeout-ms, "
                   "propagate_timeout_header: x-request-timeout-ms }")
        response, elapsed = self.timed_exchange("/delay/3000", headers=[("x-request-timeout-ms", "300")])
        self.assertEqual(response.status, 504)
        self.assertLess(elapsed, 1.5)
        # A larger value never raises the configured timeout.
        response = exchange(self.port, path="/echo", headers=[("x-request-timeout-ms", "999999")])
        left = int(echo_header_values(response.json(), "x-request-timeout-ms")[0])
        self.assertGreater(left, 4000)
        self.assertLessEqual(left, 5000)


if __name__ == "__main__":
    main()
