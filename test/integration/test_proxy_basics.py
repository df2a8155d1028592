"""The real switchyard process between a real client and the real test
upstream: routing through filters in order, smuggling refused before the
upstream, keep-alive reuse, 10 MB streamed both ways, SIGTERM drain."""
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

BIN = os.environ["SWITCHYARD_BIN"]
MODULES = os.environ["SWITCHYARD_MODULE_DIR"]
ROOT = os.environ["SWITCHYARD_SOURCE_ROOT"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, deadline=10.0):
    end = time.time() + deadline
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"port {port} never accepted")


def raw_exchange(port, data, timeout=5.0):
    """Sends bytes, returns everything read until the proxy closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        chunks = []
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


class ProxyTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.upstream_port = free_port()
        self.proxy_port = free_port()
        self.upstream = subprocess.Popen(
            [sys.executable, os.path.join(ROOT, "tools", "test_upstream.py"), "--port", str(self.upstream_port),
             "--name", "up"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.upstream_port)
        config = f"""
listeners:
  - name: edge
    port: {self.proxy_port}
    filters:
      - {{ name: a, module: headers, config: {{ request: {{ add: [{{name: x-order, value: a}}] }}, response: {{ add: [{{name: x-order, value: a}}] }} }} }}
      - {{ name: b, module: headers, config: {{ request: {{ add: [{{name: x-order, value: b}}] }}, response: {{ add: [{{name: x-order, value: b}}] }} }} }}
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
          - name: special
            match: {{ prefix: /special/ }}
            route: {{ cluster: backend, prefix_rewrite: /echo/ }}
            filter_overrides: {{ a: {{ response: {{ set: [{{name: x-route, value: "%ROUTE%"}}] }} }} }}
          - match: {{ prefix: / }}
            route: {{ cluster: backend }}
clusters:
  - name: backend
    endpoints: [{{ address: 127.0.0.1, port: {self.upstream_port} }}]
"""
        self.config_path = os.path.join(self.tmp.name, "proxy.yaml")
        with open(self.config_path, "w") as f:
            f.write(config)
        self.log = open(os.path.join(self.tmp.name, "proxy.log"), "w+")
        self.proxy = subprocess.Popen([BIN, "-c", self.config_path, "--concurrency", "1", "--module-path", MODULES,
                                       "-l", "debug"], stdout=self.log, stderr=self.log)
        wait_for_port(self.proxy_port)

    def tearDown(self):
        for process in (self.proxy, self.upstream):
            if process.poll() is None:
                process.kill()
            process.wait()
        self.log.seek(0)
        if any(self._outcome.errors if hasattr(self._outcome, "errors") else []):
            print(self.log.read())
        self.log.close()
        self.tmp.cleanup()

    def get(self, path, data=None, headers=None):
        request = urllib.request.Request(f"http://127.0.0.1:{self.proxy_port}{path}", data=data, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def upstream_stats(self):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.upstream_port}/__stats", timeout=5) as response:
            return json.loads(response.read())

    def test_filters_run_in_order_and_reverse_on_responses(self):
        status, headers, body = self.get("/echo")
        self.assertEqual(status, 200)
        seen_upstream = [value for name, value in json.loads(body)["headers"] if name.lower() == "x-order"]
        self.assertEqual(seen_upstream, ["a", "b"])
        self.assertEqual(headers.get_all("x-order"), ["b", "a"])

    def test_route_override_replaces_one_filters_config(self):
        status, headers, body = self.get("/special/x")
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body)["path"], "/echo/x")
        self.assertEqual(headers.get("x-route"), "special")
        self.assertEqual(headers.get_all("x-order"), ["b"], "filter a's override has no response add")

    def test_forwarded_headers_and_hop_by_hop_removed(self):
        # A raw request: urllib would replace the Connection header.
        response = raw_exchange(self.proxy_port, b"GET /echo HTTP/1.1\r\nHost: h\r\nConnection: x-secret, close\r\n"
                                                 b"X-Secret: 1\r\nTE: trailers\r\nKeep-Alive: 5\r\n\r\n")
        body = response.split(b"\r\n\r\n", 1)[1]
        names = [name.lower() for name, _ in json.loads(body)["headers"]]
        self.assertIn("x-forwarded-for", names)
        self.assertIn("x-forwarded-proto", names)
        for hop in ("x-secret", "te", "connection", "keep-alive"):
            self.assertNotIn(hop, names)

    def test_smuggling_shapes_get_400_and_reach_nothing(self):
        shapes = [
            b"POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            b"POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
            b"POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
            b"GET /echo HTTP/1.1\nHost: h\n\n",
            b"GET /echo HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n  folded\r\n\r\n",
            b"GET /echo HTTP/1.1\r\nHost : h\r\n\r\n",
        ]
        before = self.upstream_stats()["requests"]
        for shape in shapes:
            response = raw_exchange(self.proxy_port, shape)
            self.assertTrue(response.startswith(b"HTTP/1.1 400 "), (shape, response[:80]))
            self.assertIn(b"connection: close", response.lower())
        self.assertEqual(self.upstream_stats()["requests"], before, "nothing may be forwarded")

    def test_keep_alive_reuses_upstream_connections(self):
        before = self.upstream_stats()
        for _ in range(20):
            self.assertEqual(self.get("/echo")[0], 200)
        after = self.upstream_stats()
        self.assertEqual(after["requests"] - before["requests"], 20)
        self.assertLess(after["connections_accepted"] - before["connections_accepted"], 5)

    def test_pipelined_requests_answered_in_order(self):
        data = b"".join(f"GET /echo/{i} HTTP/1.1\r\nHost: h\r\n\r\n".encode() for i in range(3))
        data += b"GET /echo/last HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
        response = raw_exchange(self.proxy_port, data)
        paths = [json.loads(part.split(b"\r\n\r\n", 1)[1].split(b"\nHTTP/1.1")[0])["path"]
                 for part in response.split(b"HTTP/1.1 200 OK")[1:]]
        self.assertEqual(paths, ["/echo/0", "/echo/1", "/echo/2", "/echo/last"])

    def test_ten_megabytes_each_way_keep_their_checksum(self):
        body = os.urandom(10 * 1024 * 1024)
        status, _, echoed = self.get("/echo", data=body)
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(echoed)["body_sha256"], hashlib.sha256(body).hexdigest())
        status, headers, payload = self.get("/bytes/10485760")
        self.assertEqual(len(payload), 10485760)
        self.assertEqual(hashlib.sha256(payload).hexdigest(), headers["x-body-sha256"])
        status, headers, payload = self.get("/bytes/3000000?chunked=1")
        self.assertEqual(hashlib.sha256(payload).hexdigest(), headers["x-body-sha256"])

    def test_malformed_upstream_response_is_502_and_proxy_keeps_serving(self):
        self.assertEqual(self.get("/malformed")[0], 502)
        self.assertEqual(self.get("/reset")[0], 502)
        self.assertEqual(self.get("/echo")[0], 200)

    def test_no_route_is_404_and_dead_upstream_is_503(self):
        self.upstream.kill()
        self.upstream.wait()
        self.assertEqual(self.get("/echo")[0], 503)

    def test_sigterm_drains_in_flight_request_and_exits_zero(self):
        with socket.create_connection(("127.0.0.1", self.proxy_port), timeout=10) as s:
            s.sendall(b"GET /delay/1000 HTTP/1.1\r\nHost: h\r\n\r\n")
            time.sleep(0.2)
            self.proxy.send_signal(signal.SIGTERM)
            response = b""
            while b"\r\n\r\n" not in response or not response.rstrip().endswith(b"}"):
                chunk = s.recv(65536)
                if not chunk:
                    break
                response += chunk
        self.assertTrue(response.startswith(b"HTTP/1.1 200 "), response[:80])
        self.assertEqual(self.proxy.wait(timeout=10), 0)


if __name__ == "__main__":
    unittest.main()
