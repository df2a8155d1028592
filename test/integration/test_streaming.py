"""Bodies stream through the proxy: large ones keep their checksum both ways,
chunked framing is decoded and re-encoded correctly, and a slow reader makes
the proxy stop reading from the upstream instead of buffering the body."""
import hashlib
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (IntegrationTestCase, RawClient, exchange, free_port, main, request_bytes, simple_config,  # noqa: E402
                     vmrss_kib)

TEN_MB = 10 * 1024 * 1024
FIFTY_MB = 50 * 1024 * 1024
# What the proxy may hold for one slow stream: its buffers are bounded by
# max_buffer_bytes (1 MiB by default), far below the body.
MAX_RSS_GROWTH_KIB = 40 * 1024


class StreamingTest(IntegrationTestCase):
    def setUp(self):
        super().setUp()
        self.upstream = self.start_upstream("up")
        self.port = free_port()
        self.proxy = self.start_proxy(simple_config(self.port, self.upstream.port), self.port)

    def test_clients_closing_mid_response_do_not_kill_the_proxy(self):
        # Each client reads a little of a large body and closes with data
        # unread (an RST), so the proxy's next write fails with EPIPE or
        # ECONNRESET. That must end the stream, never the process (SIGPIPE).
        for _ in range(8):
            with RawClient(self.port, timeout=5) as client:
                client.send(request_bytes("GET", "/bytes/20000000"))
                self.assertTrue(client.read_some())
        time.sleep(0.3)
        self.assertTrue(self.proxy.alive(), self.proxy.read_log()[-2000:])
        self.assertEqual(exchange(self.port, "GET", "/echo").status, 200)

    def test_ten_megabyte_request_body_with_content_length(self):
        body = os.urandom(TEN_MB)
        with RawClient(self.port, timeout=10) as client:
            client.send(request_bytes("POST", "/echo/upload", [("Content-Length", str(len(body)))], body))
            response = client.read_response()
        self.assertEqual(response.status, 200)
        echo = response.json()
        self.assertEqual(echo["body_length"], TEN_MB)
        self.assertEqual(echo["body_sha256"], hashlib.sha256(body).hexdigest())
        self.assertEqual([v for k, v in echo["headers"] if k.lower() == "content-length"], [str(TEN_MB)])

    def test_ten_megabyte_response_body(self):
        digest = hashlib.sha256()
        with RawClient(self.port, timeout=10) as client:
            client.send(request_bytes("GET", f"/bytes/{TEN_MB}"))
            received = []
            response = client.read_response(sink=lambda piece: (digest.update(piece), received.append(len(piece))))
        self.assertEqual(response.status, 200)
        self.assertEqual(response.header("content-length"), str(TEN_MB))
        self.assertEqual(sum(received), TEN_MB)
        self.assertEqual(digest.hexdigest(), response.header("x-body-sha256"))

    def test_chunked_request_with_trailers_reaches_upstream_intact(self):
        pieces = [os.urandom(size) for size in (1, 100, 16384, 70000, 5, 300000)]
        body = b"".join(pieces)
        framed = b"".join(b"%x\r\n" % len(piece) + piece + b"\r\n" for piece in pieces)
        framed += b"0\r\nX-Checksum: " + hashlib.sha256(body).hexdigest().encode() + b"\r\n\r\n"
        with RawClient(self.port, timeout=10) as client:
            client.send(request_bytes("POST", "/echo/chunked", [("Transfer-Encoding", "chunked"),
                                                                 ("Trailer", "X-Checksum")]))
            # In several writes, so that chunk boundaries and reads differ.
            for offset in range(0, len(framed), 50000):
                client.send(framed[offset:offset + 50000])
            response = client.read_response()
        self.assertEqual(response.status, 200)
        echo = response.json()
        self.assertEqual(echo["body_length"], len(body))
        self.assertEqual(echo["body_sha256"], hashlib.sha256(body).hexdigest())
        self.assertIn(["X-Checksum", hashlib.sha256(body).hexdigest()],
                      [[name, value] for name, value in echo["trailers"]])

    def test_chunked_request_followed_by_another_on_the_same_connection(self):
        with RawClient(self.port) as client:
            client.send(request_bytes("POST", "/echo/first", [("Transfer-Encoding", "chunked")])
                        + b"5\r\nhello\r\n0\r\n\r\n" + request_bytes("GET", "/echo/second"))
            first = client.read_response().json()
            second = client.read_response().json()
        self.assertEqual(first["body_sha256"], hashlib.sha256(b"hello").hexdigest())
        self.assertEqual(second["path"], "/echo/second")
        self.assertEqual(second["body_length"], 0)

    def test_chunked_response_stays_chunked_with_matching_checksum(self):
        size = 3 * 1024 * 1024 + 17
        with RawClient(self.port, timeout=10) as client:
            client.send(request_bytes("GET", f"/bytes/{size}?chunked=1"))
            response = client.read_response()
            self.assertEqual(response.status, 200)
            self.assertTrue(response.chunked, response.raw_head)
            self.assertFalse(response.has_header("content-length"))
            self.assertEqual(len(response.body), size)
            self.assertEqual(hashlib.sha256(response.body).hexdigest(), response.header("x-body-sha256"))
            # The terminating chunk was right: the connection is still usable.
            client.send(request_bytes("GET", "/echo/after-chunked"))
            self.assertEqual(client.read_response().json()["path"], "/echo/after-chunked")

    def test_slow_reader_is_flow_controlled(self):
        # Warm up so that the baseline includes the connection machinery.
        with RawClient(self.port) as client:
            client.send(request_bytes("GET", "/bytes/100000"))
            self.assertEqual(client.read_response().status, 200)
        baseline_kib = vmrss_kib(self.proxy.pid)

        digest = hashlib.sha256()
        received = 0
        with RawClient(self.port, timeout=10, receive_buffer=64 * 1024) as client:
            client.send(request_bytes("GET", f"/bytes/{FIFTY_MB}"))
            head = client.read_response(head_request=True)
            self.assertEqual(head.status, 200)
            self.assertEqual(head.header("content-length"), str(FIFTY_MB))

            peak_kib = baseline_kib
            stop_sampling = threading.Event()

            def sample_rss():
                nonlocal peak_kib
                while not stop_sampling.is_set():
                    peak_kib = max(peak_kib, vmrss_kib(self.proxy.pid))
                    time.sleep(0.05)

            sampler = threading.Thread(target=sample_rss)
            sampler.start()
            try:
                # At most 64 KiB every 100 ms for 4 s: a few MB of the 50.
                end = time.monotonic() + 4
                while time.monotonic() < end:
                    piece = client.read_some(64 * 1024)
                    self.assertTrue(piece, "the proxy closed during the slow read")
                    digest.update(piece)
                    received += len(piece)
                    time.sleep(0.1)
            finally:
                stop_sampling.set()
                sampler.join()
            slow_phase_received = received
            growth_kib = peak_kib - baseline_kib
            self.assertLess(growth_kib, MAX_RSS_GROWTH_KIB,
                            f"RSS grew by {growth_kib} KiB while the client had read only "
                            f"{slow_phase_received} bytes: the proxy buffers instead of pausing the upstream")
            self.assertLess(slow_phase_received, FIFTY_MB // 2)

            # Now read the rest at full speed.
            while received < FIFTY_MB:
                piece = client.read_some(1 << 20)
                self.assertTrue(piece, f"the proxy closed after {received} of {FIFTY_MB} bytes")
                digest.update(piece)
                received += len(piece)
        self.assertEqual(received, FIFTY_MB)
        self.assertEqual(digest.hexdigest(), head.header("x-body-sha256"))

    def test_slow_upstream_body_is_streamed_not_buffered(self):
        # /bytes with slow_ms trickles 64 KiB pieces; the first byte must
        # reach the client long before the last one is sent.
        size = 20 * 64 * 1024
        with RawClient(self.port, timeout=10) as client:
            start = time.monotonic()
            client.send(request_bytes("GET", f"/bytes/{size}?slow_ms=100"))
            head = client.read_response(head_request=True)
            first_piece = client.read_some()
            first_byte_after = time.monotonic() - start
            self.assertEqual(head.status, 200)
            self.assertTrue(first_piece)
            self.assertLess(first_byte_after, 1.0, "the body was held until the upstream finished")
            digest = hashlib.sha256(first_piece)
            received = len(first_piece)
            while received < size:
                piece = client.read_some(1 << 20)
                self.assertTrue(piece, f"the proxy closed after {received} of {size} bytes")
                digest.update(piece)
                received += len(piece)
        self.assertEqual(digest.hexdigest(), head.header("x-body-sha256"))


if __name__ == "__main__":
    main()
