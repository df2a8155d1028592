"""Shared machinery for switchyard's integration tests: start the real test
upstream and the real proxy as processes, talk to them over raw sockets, and
always clean up.

Every test gets its own temp dir and its own ports, so the test files can run
in parallel. Nothing here may block forever: every socket has a timeout of at
most MAX_SOCKET_TIMEOUT seconds and every wait has a deadline.
"""
from __future__ import annotations

import dataclasses
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest

BIN = os.environ.get("SWITCHYARD_BIN", "")
MODULE_DIR = os.environ.get("SWITCHYARD_MODULE_DIR", "")
SOURCE_ROOT = os.environ.get("SWITCHYARD_SOURCE_ROOT", "")
UPSTREAM_SCRIPT = os.path.join(SOURCE_ROOT, "tools", "test_upstream.py")


def current_filter_abi() -> str:
    """"MAJOR.MINOR" of plugins_api/switchyard/filter.h: what modules built
    in this tree declare and what the host reports."""
    with open(os.path.join(SOURCE_ROOT, "plugins_api", "switchyard", "filter.h")) as header:
        text = header.read()
    major = re.search(r"#define SY_ABI_VERSION_MAJOR (\d+)", text).group(1)
    minor = re.search(r"#define SY_ABI_VERSION_MINOR (\d+)", text).group(1)
    return f"{major}.{minor}"


CURRENT_ABI = current_filter_abi() if SOURCE_ROOT else ""

MAX_SOCKET_TIMEOUT = 10.0
STARTUP_DEADLINE = 10.0
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")


def require_environment() -> None:
    missing = [name for name, value in (("SWITCHYARD_BIN", BIN), ("SWITCHYARD_MODULE_DIR", MODULE_DIR),
                                        ("SWITCHYARD_SOURCE_ROOT", SOURCE_ROOT)) if not value]
    if missing:
        sys.exit(f"integration tests need {', '.join(missing)} in the environment")


def _ephemeral_port_floor() -> int:
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as ports:
            return int(ports.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


_handed_out_ports: set[int] = set()


def free_port() -> int:
    """A port that was free a moment ago, below the kernel's ephemeral range:
    a test upstream started with port 0 (or any outgoing connection) takes
    an ephemeral port, and could otherwise take the very port handed out
    here for a proxy that has not bound it yet. Never the same port twice
    in one test process."""
    floor = _ephemeral_port_floor()
    low = 10000 if floor > 12000 else 1024
    for _ in range(1000):
        port = random.randrange(low, floor)
        if port in _handed_out_ports:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out_ports.add(port)
        return port
    raise AssertionError(f"no free port found from {low} to {floor}")


def port_accepts(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


def wait_until(predicate, deadline: float, interval: float = 0.02) -> bool:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def vmrss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError(f"no VmRSS for pid {pid}")


# --------------------------------------------------------------------------
# Raw HTTP/1.1 client


class ConnectionClosed(AssertionError):
    """The peer closed (FIN or RST) before a full response arrived."""


@dataclasses.dataclass
class Response:
    version: str
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes
    trailers: list[tuple[str, str]]
    chunked: bool
    raw_head: bytes

    def header(self, name: str) -> str | None:
        values = self.header_values(name)
        return values[0] if values else None

    def header_values(self, name: str) -> list[str]:
        lowered = name.lower()
        return [value for key, value in self.headers if key.lower() == lowered]

    def has_header(self, name: str) -> bool:
        return bool(self.header_values(name))

    def json(self) -> dict:
        return json.loads(self.body)

    @property
    def connection_tokens(self) -> list[str]:
        return [token.strip().lower() for value in self.header_values("connection") for token in value.split(",")]


def echo_header_values(echo: dict, name: str) -> list[str]:
    """The values of header `name` the upstream saw, in order, from /echo."""
    lowered = name.lower()
    return [value for key, value in echo["headers"] if key.lower() == lowered]


def echo_header_names(echo: dict) -> list[str]:
    return [key.lower() for key, _ in echo["headers"]]


class RawClient:
    """One client connection that sends exact bytes and parses responses
    itself, so that framing, interim responses and closes are all visible."""

    def __init__(self, port: int, timeout: float = 5.0, receive_buffer: int | None = None,
                 address: str = "127.0.0.1"):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if receive_buffer is not None:
            # Before connect, so that the window the proxy sees is small.
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self.sock.settimeout(min(timeout, MAX_SOCKET_TIMEOUT))
        self.sock.connect((address, port))
        self.buffer = b""
        self.eof = False

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> "RawClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def settimeout(self, timeout: float) -> None:
        self.sock.settimeout(min(timeout, MAX_SOCKET_TIMEOUT))

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _fill(self, size: int = 65536) -> bool:
        """Reads more into the buffer; False at EOF or reset."""
        if self.eof:
            return False
        try:
            chunk = self.sock.recv(size)
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            self.eof = True
            return False
        self.buffer += chunk
        return True

    def _take_line(self) -> bytes:
        while b"\r\n" not in self.buffer:
            if not self._fill():
                raise ConnectionClosed(f"closed in the middle of a line: {self.buffer[:200]!r}")
        line, _, self.buffer = self.buffer.partition(b"\r\n")
        return line

    def _take_exactly(self, size: int, sink=None) -> bytes:
        """`size` bytes; handed to `sink` piecewise (and not kept) when given."""
        pieces = []
        remaining = size
        while remaining > 0:
            if not self.buffer and not self._fill(min(remaining, 1 << 20)):
                raise ConnectionClosed(f"closed with {remaining} of {size} body bytes missing")
            piece, self.buffer = self.buffer[:remaining], self.buffer[remaining:]
            remaining -= len(piece)
            if sink is not None:
                sink(piece)
            else:
                pieces.append(piece)
        return b"".join(pieces)

    def _take_header_block(self) -> list[tuple[str, str]]:
        headers = []
        while True:
            line = self._take_line()
            if not line:
                return headers
            name, colon, value = line.partition(b":")
            if not colon:
                raise AssertionError(f"malformed header line from the proxy: {line!r}")
            headers.append((name.decode("latin-1"), value.strip(b" \t").decode("latin-1")))

    def read_response(self, head_request: bool = False, sink=None) -> Response:
        """The next response, 1xx interim responses included (they come back
        as their own Response). `sink`, when given, receives the body instead
        of the Response (for bodies too large to keep)."""
        status_line = self._take_line()
        parts = status_line.decode("latin-1").split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
            raise AssertionError(f"bad status line from the proxy: {status_line!r}")
        version, status = parts[0], int(parts[1])
        reason = parts[2] if len(parts) > 2 else ""
        headers = self._take_header_block()
        raw_head = status_line + b"\r\n" + b"".join(
            f"{name}: {value}\r\n".encode("latin-1") for name, value in headers) + b"\r\n"
        response = Response(version, status, reason, headers, b"", [], False, raw_head)
        if head_request or status in (204, 304) or 100 <= status < 200:
            return response
        transfer_encoding = [v.strip().lower() for v in response.header_values("transfer-encoding")]
        if transfer_encoding:
            if transfer_encoding[-1] != "chunked":
                raise AssertionError(f"unexpected transfer-encoding {transfer_encoding}")
            response.chunked = True
            response.body, response.trailers = self._take_chunked_body(sink)
        elif response.has_header("content-length"):
            lengths = set(response.header_values("content-length"))
            if len(lengths) != 1:
                raise AssertionError(f"conflicting content-length from the proxy: {lengths}")
            response.body = self._take_exactly(int(lengths.pop()), sink)
        else:
            response.body = self._take_until_close(sink)
        return response

    def _take_chunked_body(self, sink):
        pieces = []
        while True:
            size_line = self._take_line()
            size_text = size_line.split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise AssertionError(f"bad chunk size line from the proxy: {size_line!r}")
            if size == 0:
                return b"".join(pieces), self._take_header_block()
            data = self._take_exactly(size, sink)
            if sink is None:
                pieces.append(data)
            if self._take_line() != b"":
                raise AssertionError("chunk data not followed by CRLF")

    def _take_until_close(self, sink) -> bytes:
        while self._fill():
            if sink is not None:
                sink(self.buffer)
                self.buffer = b""
        data, self.buffer = self.buffer, b""
        return data

    def read_some(self, limit: int = 65536) -> bytes:
        """Bytes left over from parsing, else one recv of at most `limit`
        (b"" at EOF): for tests that pace their reads themselves."""
        if not self.buffer and not self._fill(limit):
            return b""
        data, self.buffer = self.buffer[:limit], self.buffer[limit:]
        return data

    def read_all_until_close(self) -> bytes:
        """Everything until the proxy closes (raises on timeout)."""
        while self._fill():
            pass
        data, self.buffer = self.buffer, b""
        return data

    def closed_by_peer(self, within: float = 3.0) -> bool:
        """True when the peer closes (FIN or RST) within `within` seconds with
        no further bytes; False on timeout. Extra bytes fail the test: a
        closed connection must not carry anything else."""
        if self.buffer:
            raise AssertionError(f"unexpected extra bytes: {self.buffer[:200]!r}")
        if self.eof:
            return True
        old_timeout = self.sock.gettimeout()
        self.sock.settimeout(min(within, MAX_SOCKET_TIMEOUT))
        try:
            if self._fill():
                raise AssertionError(f"unexpected extra bytes: {self.buffer[:200]!r}")
            return True
        except socket.timeout:
            return False
        finally:
            self.sock.settimeout(old_timeout)


def request_bytes(method: str, path: str, headers: list[tuple[str, str]] | None = None, body: bytes = b"",
                  host: str | None = "test.local") -> bytes:
    """An HTTP/1.1 request; Content-Length is added for a body unless the
    caller chose the framing in `headers`."""
    lines = [f"{method} {path} HTTP/1.1"]
    if host is not None:
        lines.append(f"Host: {host}")
    lines += [f"{name}: {value}" for name, value in headers or []]
    if body and not any(name.lower() in ("content-length", "transfer-encoding") for name, _ in headers or []):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def exchange(port: int, method: str = "GET", path: str = "/echo", headers=None, body: bytes = b"",
             host: str | None = "test.local", timeout: float = 5.0, address: str = "127.0.0.1") -> Response:
    """One request on a fresh connection to address:port; returns the final
    response."""
    with RawClient(port, timeout, address=address) as client:
        client.send(request_bytes(method, path, headers, body, host))
        response = client.read_response(head_request=(method == "HEAD"))
        while 100 <= response.status < 200:
            response = client.read_response(head_request=(method == "HEAD"))
        return response


def proxy_stats(admin_port: int) -> dict[str, int]:
    """The proxy's GET /stats as {name: value}: every "name: value" line whose
    value starts with an integer."""
    values = {}
    for line in exchange(admin_port, path="/stats").body.decode().splitlines():
        name, _, rest = line.partition(": ")
        words = rest.split()
        if words and words[0].lstrip("-").isdigit():
            values[name] = int(words[0])
    return values


# --------------------------------------------------------------------------
# Processes


class UpstreamProcess:
    """tools/test_upstream.py on its own port (chosen by the upstream itself
    when port is 0, so there is no race with other tests), on `address` (any
    127.x.y.z is loopback on Linux)."""

    def __init__(self, workdir: str, name: str, port: int = 0, address: str = "127.0.0.1"):
        self.name = name
        self.address = address
        self.ready_file = os.path.join(workdir, f"upstream-{name}-{time.monotonic_ns()}.port")
        self.log_path = os.path.join(workdir, f"upstream-{name}.log")
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, UPSTREAM_SCRIPT, "--port", str(port), "--host", address, "--name", name,
             "--ready-file", self.ready_file],
            stdout=self.log, stderr=self.log)
        if not wait_until(lambda: os.path.exists(self.ready_file) or self.process.poll() is not None,
                          STARTUP_DEADLINE):
            self.stop()
            raise AssertionError(f"upstream {name} did not start within {STARTUP_DEADLINE}s")
        if self.process.poll() is not None:
            self.log.close()
            raise AssertionError(f"upstream {name} exited at start:\n{self.read_log()}")
        with open(self.ready_file) as ready:
            self.port = int(ready.read().strip())

    def read_log(self) -> str:
        with open(self.log_path, "rb") as log:
            return log.read().decode("utf-8", "replace")

    def get_json(self, path: str) -> dict:
        response = exchange(self.port, "GET", path, address=self.address)
        if response.status != 200:
            raise AssertionError(f"upstream {self.name} {path}: {response.status}")
        return response.json()

    def stats(self) -> dict:
        return self.get_json("/__stats")

    def reset_stats(self) -> None:
        self.get_json("/__reset_stats")

    def kill(self) -> None:
        """SIGKILL: the kernel closes its sockets, nothing is said."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if not self.log.closed:
            self.log.close()


class ProxyProcess:
    """switchyard serving `config_yaml`, with its debug log kept in a file."""

    def __init__(self, workdir: str, config_yaml: str, concurrency: int = 1,
                 extra_args: list[str] | None = None, name: str = "proxy"):
        self.config_path = os.path.join(workdir, f"{name}.yaml")
        with open(self.config_path, "w") as config_file:
            config_file.write(config_yaml)
        self.log_path = os.path.join(workdir, f"{name}.log")
        self.log = open(self.log_path, "ab")
        self.args = [BIN, "-c", self.config_path, "--concurrency", str(concurrency), "--module-path", MODULE_DIR,
                     "-l", "debug"] + list(extra_args or [])
        self.process = subprocess.Popen(self.args, stdout=self.log, stderr=self.log)
        self.port: int | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_for_port(self, port: int) -> None:
        if not wait_until(lambda: self.process.poll() is not None or port_accepts(port), STARTUP_DEADLINE):
            raise AssertionError(f"switchyard never accepted on {port}:\n{self.read_log()}")
        if self.process.poll() is not None:
            raise AssertionError(f"switchyard exited with {self.process.returncode} at start:\n{self.read_log()}")

    def read_log(self) -> str:
        with open(self.log_path, "rb") as log:
            return log.read().decode("utf-8", "replace")

    def signal(self, signum: int) -> None:
        self.process.send_signal(signum)

    def wait(self, timeout: float) -> int:
        return self.process.wait(timeout=timeout)

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        try:
            self.process.wait(timeout=10)
        finally:
            if not self.log.closed:
                self.log.close()


def run_switchyard(args: list[str], timeout: float = 10.0) -> subprocess.CompletedProcess:
    """Runs switchyard to completion (--check, --version, --help)."""
    return subprocess.run([BIN] + args, capture_output=True, text=True, timeout=timeout)


# --------------------------------------------------------------------------
# Test case base


class IntegrationTestCase(unittest.TestCase):
    """Gives each test a temp dir and kills every process it started, also
    when setUp fails. When a test fails, the logs of its processes are
    printed after the failure."""

    def setUp(self) -> None:
        self.workdir = tempfile.mkdtemp(prefix="switchyard-it-")
        self._processes = []
        self._collected_logs: list[tuple[str, str]] = []
        # Cleanups run in reverse: processes die before their dir goes.
        self.addCleanup(shutil.rmtree, self.workdir, True)
        self.addCleanup(self._stop_processes)

    def _stop_processes(self) -> None:
        sanitizer_reports = []
        for process in reversed(self._processes):
            try:
                process.stop()
            except Exception as error:  # keep stopping the others
                print(f"stopping {process}: {error}", file=sys.stderr)
            if isinstance(process, ProxyProcess):
                label = f"switchyard ({process.config_path})"
            elif isinstance(process, UpstreamProcess):
                label = f"upstream {process.name}"
            else:
                label = process.name
            try:
                log_text = process.read_log()
            except OSError:
                continue
            self._collected_logs.append((label, log_text))
            # Under -Dsanitize=true a memory or UB error in a process the
            # test merely killed would otherwise go unnoticed.
            for marker in SANITIZER_MARKERS:
                if marker in log_text:
                    sanitizer_reports.append(f"{label}: {marker}")
        if sanitizer_reports:
            raise AssertionError("sanitizer reports in process logs: " + "; ".join(sanitizer_reports))

    def run(self, result=None):
        result = result if result is not None else self.defaultTestResult()
        problems_before = len(result.failures) + len(result.errors)
        outcome = super().run(result)
        if len(result.failures) + len(result.errors) > problems_before:
            for label, text in self._collected_logs:
                tail = text[-20000:]
                sys.stderr.write(f"\n----- {self.id()}: log of {label} (last {len(tail)} chars) -----\n{tail}"
                                 f"\n----- end of {label} -----\n")
        return outcome

    # -- process helpers ---------------------------------------------------

    def start_upstream(self, name: str = "up", port: int = 0, address: str = "127.0.0.1") -> UpstreamProcess:
        upstream = UpstreamProcess(self.workdir, name, port, address)
        self._processes.append(upstream)
        return upstream

    def start_proxy(self, config_yaml: str, listener_port: int | None, concurrency: int = 1,
                    extra_args: list[str] | None = None, name: str = "proxy") -> ProxyProcess:
        proxy = ProxyProcess(self.workdir, config_yaml, concurrency, extra_args, name)
        self._processes.append(proxy)
        if listener_port is not None:
            proxy.port = listener_port
            proxy.wait_for_port(listener_port)
        return proxy

    def write_file(self, name: str, text: str) -> str:
        path = os.path.join(self.workdir, name)
        with open(path, "w") as out:
            out.write(text)
        return path

    # -- assertions ----------------------------------------------------------

    def assertAccessLoggedSoon(self, path: str, text: str, within: float = 2.0) -> None:
        """`text` appears in the access log at `path` within `within` seconds:
        the line is written when the stream completes (maybe just after the
        client read the whole response), by the log's writer thread."""
        if not wait_until(lambda: text in read_text(path), within):
            self.fail(f"{text!r} not in the access log within {within}s:\n{read_text(path)[-3000:]}")

    def assertClosedByPeer(self, client: RawClient, within: float = 3.0, message: str = "") -> None:
        self.assertTrue(client.closed_by_peer(within),
                        f"the proxy kept the connection open for {within}s {message}".strip())

    def assertStillOpen(self, client: RawClient, for_seconds: float = 0.3, message: str = "") -> None:
        self.assertFalse(client.closed_by_peer(for_seconds), f"the proxy closed the connection {message}".strip())


# The access line tests read: what happened to a request, one per line.
TEST_ACCESS_LOG_FORMAT = ("%REQ(:METHOD)% %REQ(:PATH)% %RESPONSE_CODE% flags=%RESPONSE_FLAGS% "
                          "attempts=%UPSTREAM_REQUEST_ATTEMPT_COUNT% upstream=%UPSTREAM_HOST% "
                          "details=%RESPONSE_CODE_DETAILS%")


def access_log_yaml(path: str, log_format: str = TEST_ACCESS_LOG_FORMAT) -> str:
    """A listener's `access_log` field (indented to sit under `- name: ...`)
    writing `log_format` lines to `path`."""
    return f"    access_log:\n      - path: {path}\n        format: {json.dumps(log_format)}\n"


def read_text(path: str) -> str:
    """The file's text, or "" while it does not exist."""
    try:
        with open(path, "rb") as file:
            return file.read().decode("utf-8", "replace")
    except FileNotFoundError:
        return ""


def simple_config(listener_port: int, upstream_port: int, listener_extra: str = "", cluster_extra: str = "",
                  filters: str = "") -> str:
    """One listener, every path to one cluster with one endpoint."""
    return f"""
listeners:
  - name: edge
    address: 127.0.0.1
    port: {listener_port}
{listener_extra}
{filters}
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
      - {{ address: 127.0.0.1, port: {upstream_port} }}
"""


def main() -> None:
    require_environment()
    unittest.main()

