"""The core embedded in someone else's libuv daemon (test/embed): the proxy
and the daemon's own timer and TCP server share one loop and both keep
working, drain leaves the daemon's handles running, and freeing the proxy
leaves nothing behind on the loop."""
import os
import signal
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (MODULE_DIR, IntegrationTestCase, STARTUP_DEADLINE, echo_header_values, exchange,  # noqa: E402
                     free_port, main, port_accepts, simple_config, wait_until)

DAEMON = os.environ.get("SWITCHYARD_EMBEDDING_DAEMON", "")

HEADERS_FILTER = """    filters:
      - name: tag
        module: headers
        config:
          request: { set: [{ name: x-embedded, value: "%LISTENER%" }] }
"""


class EmbeddingDaemon:
    """test/embed/embedding_daemon: the proxy plus a ticking timer and a
    status server, all on the daemon's one loop."""

    def __init__(self, workdir: str, config_yaml: str):
        self.name = "embedding_daemon"
        self.config_path = os.path.join(workdir, "embedded.yaml")
        with open(self.config_path, "w") as config_file:
            config_file.write(config_yaml)
        self.status_port = free_port()
        self.log_path = os.path.join(workdir, "embedding_daemon.log")
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen([DAEMON, self.config_path, str(self.status_port), MODULE_DIR],
                                        stdout=self.log, stderr=self.log)

    def status(self) -> tuple[int, str]:
        """(ticks, proxy state) from the daemon's own TCP server."""
        with socket.create_connection(("127.0.0.1", self.status_port), timeout=2) as connection:
            line = connection.makefile("rb").readline().decode()
        fields = dict(part.split("=", 1) for part in line.split())
        return int(fields["ticks"]), fields["proxy"]

    def read_log(self) -> str:
        with open(self.log_path, "rb") as log:
            return log.read().decode("utf-8", "replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)
        if not self.log.closed:
            self.log.close()


class EmbeddingTest(IntegrationTestCase):
    def setUp(self) -> None:
        super().setUp()
        if not DAEMON:
            self.fail("SWITCHYARD_EMBEDDING_DAEMON is not set")
        self.upstream = self.start_upstream()
        self.proxy_port = free_port()

    def start_daemon(self) -> EmbeddingDaemon:
        daemon = EmbeddingDaemon(self.workdir, simple_config(self.proxy_port, self.upstream.port,
                                                             filters=HEADERS_FILTER))
        self._processes.append(daemon)
        started = wait_until(lambda: daemon.process.poll() is not None or
                             (port_accepts(self.proxy_port) and port_accepts(daemon.status_port)), STARTUP_DEADLINE)
        self.assertTrue(started and daemon.process.poll() is None,
                        f"the daemon did not start serving:\n{daemon.read_log()}")
        return daemon

    def slow_request_in_background(self, delay_ms: int) -> tuple[threading.Thread, dict]:
        outcome = {}

        def run():
            try:
                outcome["response"] = exchange(self.proxy_port, path=f"/delay/{delay_ms}", timeout=10)
            except Exception as error:  # reported by the assertion on `outcome`
                outcome["error"] = error

        thread = threading.Thread(target=run)
        thread.start()
        return thread, outcome

    def test_proxy_and_daemon_handles_share_the_loop(self):
        daemon = self.start_daemon()

        response = exchange(self.proxy_port, path="/echo")
        self.assertEqual(response.status, 200)
        self.assertEqual(echo_header_values(response.json(), "x-embedded"), ["edge"],
                         "the filter module loaded through the embed API did not run")

        # While a proxied request waits on a slow upstream, the daemon's own
        # timer keeps ticking and its own server keeps answering.
        thread, outcome = self.slow_request_in_background(800)
        time.sleep(0.1)
        ticks_before, state = daemon.status()
        self.assertEqual(state, "serving")
        time.sleep(0.3)
        ticks_after, _ = daemon.status()
        # 5 ms ticks over 300 ms: 60 expected; a loop blocked by the proxy
        # would show none.
        self.assertGreater(ticks_after - ticks_before, 20)
        thread.join(timeout=10)
        self.assertNotIn("error", outcome)
        self.assertEqual(outcome["response"].status, 200)

        for _ in range(20):
            self.assertEqual(exchange(self.proxy_port, path="/echo").status, 200)
        self.assertGreater(daemon.status()[0], ticks_after)

    def test_drain_finishes_in_flight_and_leaves_the_daemon_running(self):
        daemon = self.start_daemon()
        thread, outcome = self.slow_request_in_background(1000)
        self.assertTrue(wait_until(lambda: self.upstream.stats().get("requests", 0) >= 1, 5),
                        "the slow request never reached the upstream")

        daemon.process.send_signal(signal.SIGTERM)
        self.assertTrue(wait_until(lambda: daemon.status()[1] == "draining", 2), "the proxy did not start draining")
        self.assertFalse(port_accepts(self.proxy_port), "the draining proxy still accepts connections")

        thread.join(timeout=10)
        self.assertNotIn("error", outcome)
        self.assertEqual(outcome["response"].status, 200, "the in-flight request did not complete")
        self.assertTrue(wait_until(lambda: daemon.status()[1] == "drained", 5), "the drain never completed")

        # The proxy is freed; the daemon's own handles still work.
        ticks_after_drain, _ = daemon.status()
        time.sleep(0.1)
        self.assertGreater(daemon.status()[0], ticks_after_drain)
        self.assertIsNone(daemon.process.poll())

        # Closing the daemon's handles empties the loop: uv_loop_close
        # succeeds only if the proxy left nothing on it.
        daemon.process.send_signal(signal.SIGTERM)
        self.assertEqual(daemon.process.wait(timeout=5), 0, daemon.read_log())
        self.assertIn("loop closed cleanly", daemon.read_log())

    def test_bad_config_is_reported_through_the_embed_api(self):
        config_path = self.write_file("broken.yaml", simple_config(self.proxy_port, self.upstream.port)
                                      .replace("connect_timeout: 1s", "connect_timeout: 1s\n    colour: blue"))
        result = subprocess.run([DAEMON, config_path, str(free_port()), MODULE_DIR],
                                capture_output=True, text=True, timeout=10)
        self.assertEqual(result.returncode, 1, result)
        self.assertIn("broken.yaml", result.stderr)
        self.assertIn("colour", result.stderr)
        self.assertFalse(port_accepts(self.proxy_port))


if __name__ == "__main__":
    main()
