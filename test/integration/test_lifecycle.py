"""The proxy process from start to exit: command-line flags, graceful drain on
SIGTERM and SIGINT, worker threads under concurrent load, and the downstream
idle and request-headers timeouts."""
import os
import resource
import signal
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (BIN, CURRENT_ABI, MODULE_DIR, IntegrationTestCase, RawClient, access_log_yaml, exchange,  # noqa: E402
                     free_port, main, port_accepts, proxy_stats, request_bytes, run_switchyard, simple_config,
                     wait_until)

DRAIN_TIMEOUT_MS = 5000


def connection_refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return False
    except ConnectionRefusedError:
        return True


class CommandLineTest(IntegrationTestCase):
    def test_version_prints_version_and_filter_abi(self):
        result = run_switchyard(["--version"])
        self.assertEqual(result.returncode, 0, result)
        self.assertRegex(result.stdout, r"^switchyard \d+\.\d+\.\d+")
        self.assertIn(f"filter ABI {CURRENT_ABI}", result.stdout)

    def test_help_lists_the_main_flags(self):
        result = run_switchyard(["--help"])
        self.assertEqual(result.returncode, 0, result)
        for flag in ("--check", "--module-path", "--concurrency", "--drain-timeout", "--config"):
            self.assertIn(flag, result.stdout)

    def test_no_config_is_a_usage_error(self):
        result = run_switchyard([])
        self.assertEqual(result.returncode, 2, result)
        self.assertIn("-c", result.stderr)

    def test_unknown_flag_is_a_usage_error(self):
        result = run_switchyard(["--no-such-flag"])
        self.assertEqual(result.returncode, 2, result)
        self.assertIn("usage", result.stderr)

    def test_bad_concurrency_is_refused(self):
        result = run_switchyard(["-c", "unused.yaml", "--concurrency", "many"])
        self.assertEqual(result.returncode, 2, result)
        self.assertIn("--concurrency", result.stderr)

    def test_listener_port_in_use_fails_to_start(self):
        with socket.socket() as occupier:
            occupier.bind(("127.0.0.1", 0))
            occupier.listen()
            port = occupier.getsockname()[1]
            proxy = self.start_proxy(simple_config(port, free_port()), None)
            self.assertEqual(proxy.wait(timeout=10), 1)
            self.assertIn("edge", proxy.read_log())


class WorkerTimerDrainTest(IntegrationTestCase):
    def test_module_worker_timer_that_never_stops_does_not_block_exit(self):
        # test/abi/worker_ticker re-arms a worker timer forever and never
        # frees it; the worker closes it when the drain ends.
        upstream = self.start_upstream("up")
        port = free_port()
        fixture = os.path.join(os.path.dirname(MODULE_DIR), "test", "abi", "worker_ticker.so")
        filters = f"    filters:\n      - name: ticker\n        path: {fixture}\n"
        proxy = self.start_proxy(simple_config(port, upstream.port, filters=filters), port,
                                 extra_args=["--drain-timeout", "500"])
        self.assertEqual(exchange(port, "GET", "/echo").status, 200)
        proxy.signal(signal.SIGTERM)
        self.assertEqual(proxy.wait(timeout=3), 0, proxy.read_log()[-2000:])


class DrainTest(IntegrationTestCase):
    def setUp(self):
        super().setUp()
        self.upstream = self.start_upstream("up")
        self.port = free_port()
        self.admin_port = free_port()
        config = simple_config(self.port, self.upstream.port) + f"""
admin:
  address: 127.0.0.1
  port: {self.admin_port}
"""
        self.proxy = self.start_proxy(config, self.port, extra_args=["--drain-timeout", str(DRAIN_TIMEOUT_MS)])

    def drain_with(self, signum: int):
        with RawClient(self.port, timeout=10) as in_flight, RawClient(self.port, timeout=10) as idle:
            # An idle keep-alive connection that has finished one request.
            idle.send(request_bytes("GET", "/echo/idle"))
            self.assertEqual(idle.read_response().status, 200)
            in_flight.send(request_bytes("GET", "/delay/1500"))
            self.assertTrue(wait_until(lambda: self.upstream.stats()["requests_by_path"].get("/delay/1500"), 5))
            signalled_at = time.monotonic()
            self.proxy.signal(signum)

            # New connections are refused while the old request is running.
            self.assertTrue(wait_until(lambda: connection_refused(self.port), 1.0),
                            "the proxy still accepts connections after the signal")
            self.assertLess(time.monotonic() - signalled_at, 1.4, "refusal came only after the request finished")
            # The idle connection is closed rather than left to the deadline.
            self.assertClosedByPeer(idle, within=1.0)

            response = in_flight.read_response()
            self.assertEqual(response.status, 200)
            self.assertEqual(response.json()["path"], "/delay/1500")
            self.assertIn("close", response.connection_tokens)
            self.assertClosedByPeer(in_flight)
        self.assertEqual(self.proxy.wait(timeout=DRAIN_TIMEOUT_MS / 1000), 0)
        self.assertLess(time.monotonic() - signalled_at, DRAIN_TIMEOUT_MS / 1000)
        self.assertFalse(port_accepts(self.admin_port), "the admin port outlived the process")

    def test_sigterm_finishes_in_flight_request_then_exits_zero(self):
        self.drain_with(signal.SIGTERM)

    def test_sigint_finishes_in_flight_request_then_exits_zero(self):
        self.drain_with(signal.SIGINT)

    def test_admin_ready_reports_draining(self):
        with RawClient(self.port, timeout=10) as in_flight:
            in_flight.send(request_bytes("GET", "/delay/1500"))
            self.assertTrue(wait_until(lambda: self.upstream.stats()["requests_by_path"].get("/delay/1500"), 5))
            self.assertEqual(exchange(self.admin_port, "GET", "/ready").status, 200)
            self.proxy.signal(signal.SIGTERM)
            self.assertTrue(wait_until(lambda: exchange(self.admin_port, "GET", "/ready").status == 503, 1.0))
            self.assertEqual(in_flight.read_response().status, 200)
        self.assertEqual(self.proxy.wait(timeout=DRAIN_TIMEOUT_MS / 1000), 0)

    def test_drain_deadline_closes_requests_that_never_finish(self):
        proxy_port = free_port()
        proxy = self.start_proxy(simple_config(proxy_port, self.upstream.port), proxy_port,
                                 extra_args=["--drain-timeout", "300"], name="short-drain")
        with RawClient(proxy_port, timeout=10) as hanging:
            hanging.send(request_bytes("GET", "/hang"))
            self.assertTrue(wait_until(lambda: self.upstream.stats()["requests_by_path"].get("/hang"), 5))
            signalled_at = time.monotonic()
            proxy.signal(signal.SIGTERM)
            self.assertEqual(proxy.wait(timeout=5), 0)
            self.assertLess(time.monotonic() - signalled_at, 3.0)
            self.assertEqual(hanging.read_all_until_close(), b"", "a cut request must not get a made-up response")

    def test_listener_drain_timeout_from_config_bounds_the_drain(self):
        # No --drain-timeout: the listener's timeouts.drain_timeout applies.
        proxy_port = free_port()
        config = simple_config(proxy_port, self.upstream.port,
                               listener_extra="    timeouts: { drain_timeout: 0.3s }")
        proxy = self.start_proxy(config, proxy_port, name="config-drain")
        with RawClient(proxy_port, timeout=10) as hanging:
            hanging.send(request_bytes("GET", "/hang"))
            self.assertTrue(wait_until(lambda: self.upstream.stats()["requests_by_path"].get("/hang"), 5))
            signalled_at = time.monotonic()
            proxy.signal(signal.SIGTERM)
            try:
                exit_code = proxy.wait(timeout=5)
            except Exception:
                self.fail("still draining 5 s after SIGTERM with drain_timeout: 0.3s in the config")
            self.assertEqual(exit_code, 0)
            self.assertLess(time.monotonic() - signalled_at, 3.0)


class ConcurrencyTest(IntegrationTestCase):
    def test_fifty_concurrent_requests_on_two_workers_all_succeed(self):
        upstream = self.start_upstream("up")
        port = free_port()
        self.start_proxy(simple_config(port, upstream.port), port, concurrency=2)
        upstream.reset_stats()
        results = [None] * 50
        start = threading.Barrier(50, timeout=10)

        def one_request(index: int):
            try:
                start.wait()
                response = exchange(port, "GET", f"/delay/200?i={index}", timeout=10)
                results[index] = (response.status, response.json()["path"])
            except Exception as error:  # reported below with the index
                results[index] = ("error", repr(error))

        threads = [threading.Thread(target=one_request, args=(i,)) for i in range(50)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=15)
        failures = [(i, result) for i, result in enumerate(results)
                    if result != (200, f"/delay/200?i={i}")]
        self.assertEqual(failures, [])
        self.assertEqual(upstream.stats()["requests"], 50)


class ClientHangUpTest(IntegrationTestCase):
    """A client that goes away while its request waits for the upstream
    cancels it at once: the upstream connection and any place in a pool's
    queue are released, and the access line says DC."""

    def setUp(self):
        super().setUp()
        self.upstream = self.start_upstream("up")
        self.port = free_port()
        self.admin_port = free_port()
        admin = f"admin: {{ address: 127.0.0.1, port: {self.admin_port} }}\n"
        self.access_log = os.path.join(self.workdir, "access.log")
        self.proxy = self.start_proxy(admin + simple_config(self.port, self.upstream.port,
                                                            listener_extra=access_log_yaml(self.access_log),
                                                            cluster_extra="    max_connections: 1"), self.port)

    def open_upstream_connections(self) -> int:
        return self.upstream.stats()["connections_open"]

    def proxy_gauge(self, name: str) -> int:
        stats = proxy_stats(self.admin_port)
        if name not in stats:
            self.fail(f"no {name} in /stats")
        return stats[name]

    def test_closing_while_the_upstream_has_not_answered_releases_everything(self):
        for close in ("fin", "reset"):
            with self.subTest(close=close):
                client = RawClient(self.port)
                client.send(request_bytes("GET", "/hang"))
                self.assertTrue(wait_until(lambda: self.open_upstream_connections() == 1, 3.0))
                if close == "reset":
                    client.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                client.sock.close()
                # Seen at once, not at a drain deadline: the upstream
                # connection closes and the proxy holds no client connection.
                self.assertTrue(wait_until(lambda: self.open_upstream_connections() == 0, 2.0),
                                "the upstream connection was kept after the client left")
                self.assertTrue(wait_until(lambda: self.proxy_gauge("downstream_cx_active") == 0, 2.0))
                self.assertAccessLoggedSoon(self.access_log, "flags=DC")

    def test_a_request_queued_for_a_pooled_connection_is_dropped_before_it_is_sent(self):
        # max_connections 1: the first request holds the only connection, the
        # second waits in the pool's queue, then its client leaves.
        first = RawClient(self.port)
        first.send(request_bytes("GET", "/hang"))
        self.assertTrue(wait_until(lambda: self.open_upstream_connections() == 1, 3.0))
        second = RawClient(self.port)
        second.send(request_bytes("GET", "/echo?who=second"))
        self.assertTrue(wait_until(lambda: self.proxy_gauge("cluster.backend.pending_requests") == 1, 2.0))
        second.sock.close()
        self.assertTrue(wait_until(lambda: self.proxy_gauge("cluster.backend.pending_requests") == 0, 2.0))
        first.sock.close()  # frees the connection the second one waited for
        self.assertTrue(wait_until(lambda: self.open_upstream_connections() == 0, 2.0))
        self.assertNotIn("/echo", self.upstream.stats()["requests_by_path"])


def resident_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for {pid}")


def built_with_address_sanitizer() -> bool:
    linked = subprocess.run(["ldd", BIN], capture_output=True, text=True).stdout
    return "libasan" in linked


class ConnectionFloodTest(IntegrationTestCase):
    """After a flood of connections has closed, the proxy gives the memory
    back instead of staying at its peak (server/memory_release.h)."""

    CONNECTIONS = 1500

    def setUp(self):
        super().setUp()
        if built_with_address_sanitizer():
            self.skipTest("AddressSanitizer's allocator keeps freed memory in quarantine by design")
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        needed = 2 * self.CONNECTIONS + 256  # this process's sockets and the proxy's
        if hard != resource.RLIM_INFINITY and hard < needed:
            self.skipTest(f"the open-files limit ({hard}) is below the {needed} a flood needs")
        if soft != resource.RLIM_INFINITY and soft < needed:
            resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))  # inherited by the proxy started below
        self.upstream = self.start_upstream("up")
        self.port = free_port()
        # The flood is downstream; a few upstream connections serve it.
        self.proxy = self.start_proxy(simple_config(self.port, self.upstream.port,
                                                    cluster_extra="    max_connections: 32"), self.port)

    def test_memory_returns_near_the_baseline_after_a_flood_closes(self):
        exchange(self.port, path="/echo")  # warm: pools, first allocations
        baseline = resident_mb(self.proxy.pid)
        clients = [RawClient(self.port, timeout=10) for _ in range(self.CONNECTIONS)]
        for client in clients:
            client.send(request_bytes("GET", "/echo"))
        for client in clients:
            self.assertEqual(client.read_response().status, 200)
        peak = resident_mb(self.proxy.pid)
        for client in clients:
            client.sock.close()
        settled = baseline + max(2.0, (peak - baseline) / 3)
        self.assertTrue(wait_until(lambda: resident_mb(self.proxy.pid) <= settled, 5.0),
                        f"RSS stayed at {resident_mb(self.proxy.pid):.1f} MB after the flood "
                        f"(baseline {baseline:.1f} MB, peak {peak:.1f} MB)")


class DownstreamTimeoutTest(IntegrationTestCase):
    def setUp(self):
        super().setUp()
        self.upstream = self.start_upstream("up")
        self.port = free_port()
        config = simple_config(self.port, self.upstream.port,
                               listener_extra="    timeouts: { idle_timeout: 0.5s, request_headers_timeout: 0.5s }")
        self.proxy = self.start_proxy(config, self.port)

    def test_idle_keep_alive_connection_is_closed_after_idle_timeout(self):
        with RawClient(self.port) as client:
            client.send(request_bytes("GET", "/echo"))
            self.assertEqual(client.read_response().status, 200)
            finished_at = time.monotonic()
            self.assertStillOpen(client, 0.3, "well before idle_timeout")
            self.assertClosedByPeer(client, within=2.0)
            self.assertGreater(time.monotonic() - finished_at, 0.45)

    def test_connection_that_never_sends_is_closed_after_idle_timeout(self):
        with RawClient(self.port) as client:
            opened_at = time.monotonic()
            self.assertClosedByPeer(client, within=2.0)
            self.assertGreater(time.monotonic() - opened_at, 0.45)

    def test_slow_request_does_not_count_as_idle(self):
        # /delay/1200 keeps a request in flight longer than idle_timeout.
        with RawClient(self.port) as client:
            client.send(request_bytes("GET", "/delay/1200"))
            self.assertEqual(client.read_response().status, 200)

    def test_half_sent_headers_get_408_after_request_headers_timeout(self):
        self.upstream.reset_stats()
        with RawClient(self.port) as client:
            sent_at = time.monotonic()
            client.send(b"GET /echo HTTP/1.1\r\nHost: test.local\r\nX-Partial: ")
            response = client.read_response()
            elapsed = time.monotonic() - sent_at
            self.assertEqual(response.status, 408)
            self.assertGreater(elapsed, 0.45)
            self.assertLess(elapsed, 3.0)
            self.assertIn("close", response.connection_tokens)
            self.assertClosedByPeer(client)
        self.assertEqual(self.upstream.stats()["requests"], 0)

    def test_half_sent_second_request_on_keep_alive_connection_gets_408(self):
        with RawClient(self.port) as client:
            client.send(request_bytes("GET", "/echo/first"))
            self.assertEqual(client.read_response().status, 200)
            sent_at = time.monotonic()
            client.send(b"GET /echo/second HTTP/1.1\r\nHost: test.local\r\n")
            response = client.read_response()
            self.assertEqual(response.status, 408)
            self.assertLess(time.monotonic() - sent_at, 3.0)
            self.assertClosedByPeer(client)

    def test_headers_trickled_slowly_still_time_out(self):
        # Each byte resets nothing: the deadline runs from the first byte.
        with RawClient(self.port) as client:
            sent_at = time.monotonic()
            client.send(b"GET /echo HTTP/1.1\r\n")
            for _ in range(8):
                time.sleep(0.1)
                try:
                    client.send(b"X-Drip: 1\r\n")
                except OSError:
                    break
            response = client.read_response()
            self.assertEqual(response.status, 408)
            self.assertLess(time.monotonic() - sent_at, 3.0)


if __name__ == "__main__":
    main()
