#!/usr/bin/env python3
"""A scriptable HTTP/1.1 upstream for switchyard's integration tests and demos.

Written on raw asyncio streams rather than http.server so that every byte on
the wire is under control: keep-alive, pipelining, chunked bodies, 100-continue,
malformed responses and TCP resets are all produced deliberately. Python 3.11
standard library only; shares no code with the proxy it tests.

    test_upstream.py --port N [--host 127.0.0.1] [--name NAME] [--ready-file PATH]

--port 0 picks a free port. Once listening, the actual port is written to
--ready-file (atomically) and `listening on HOST:PORT` is printed to stdout.

Endpoints, chosen by path (a query string is allowed everywhere):

  /echo (and any path not listed)  200 with a JSON description of the request:
        method, path (the request target exactly as received, query included),
        http_version, headers ([name, value] pairs in received order and case),
        trailers, body_length, body_sha256, server, connection_id,
        request_number_on_connection
  /status/NNN          that status (200-599) with a small text body; no body
                       for 204, 304 and HEAD
  /delay/MS            wait MS milliseconds, then answer like /echo
  /hang                read the request, never answer, keep the socket open
                       until the client closes it
  /reset               read the request, then reset the connection (RST)
  /reset-mid-body?bytes=N
                       promise a body much longer than N, send N bytes, RST
  /bytes/N             N deterministic bytes (every /bytes/N is a prefix of
                       /bytes/M for M > N) with Content-Length and an
                       x-body-sha256 header; ?chunked=1 sends them chunked in
                       chunks of 8-24 KiB; ?slow_ms=M pauses M ms after every
                       64 KiB
  /malformed?kind=K    an invalid response, then close. K is one of
                       badstatus (default; "HTTP/1.1 2OO OK"), badheader
                       (whitespace before a header's colon), badchunk (a
                       chunk size that is not hex), nocrlf (the header block
                       is never terminated)
  /raw?b64=B           write exactly the bytes B (base64url) as the response,
                       then keep the connection open, reading and discarding,
                       until the client closes it (a test can see whether the
                       client dropped the connection after a bad response)
  /close               answer like /echo with Connection: close, then close
  /fail-first/N?key=K  the first N requests with key K get 503, later ones
                       200 like /echo; x-fail-first-attempt tells which
                       attempt (1-based) this was for K
  /flaky/P             503 with probability P percent, else like /echo
  /slow-on/NAME/MS     wait MS milliseconds if this upstream is --name NAME,
                       then answer like /echo (one slow host among several)
  /__stats             JSON {connections_accepted, connections_open, requests,
                       requests_by_path, requests_in_flight,
                       max_requests_in_flight}
  /__reset_stats       zero the stats
  /__force_status/NNN  from now on answer every other request (health checks
                       included) with status NNN (200-599) and a small text
                       body, whatever its path: a host that fails everything.
                       /__force_status/0 goes back to serving by path.

The stats and force-status endpoints are not counted in the stats, and
neither is a connection that carried nothing but them. connections_accepted counts the
connections accepted since the last reset, so a keep-alive connection opened
earlier and reused afterwards adds requests but no connection.

Any endpoint takes ?close_next=1: answer normally and keep the connection
open, but close it without a response when the next request arrives on it
(a keep-alive connection the server dropped just as the client reused it).

Any endpoint takes ?delay_ms=MS: wait that long after reading the request,
then behave as usual (e.g. /status/503?delay_ms=200 is a slow failure);
&jitter_ms=J adds a uniformly random 0-J ms, so that concurrent requests do
not all finish in the same instant.

Every response carries `x-upstream-name: NAME`. HTTP/1.1 connections are kept
alive unless the request says `Connection: close`; HTTP/1.0 ones only with
`Connection: keep-alive`. Pipelined requests are answered in order, and
`Expect: 100-continue` gets `100 Continue` before the body is read.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import binascii
import dataclasses
import functools
import hashlib
import http
import itertools
import json
import os
import random
import signal
import socket
import struct
import sys
import urllib.parse

MAX_LINE_BYTES = 256 * 1024
MAX_HEAD_BYTES = 1024 * 1024
MAX_HEADER_COUNT = 1000
PATTERN_PIECE_BYTES = 64 * 1024
# Fixed so that /bytes/N is the same content in every process and every run.
PATTERN_SEED = 0x5317AD
# How far /reset-mid-body's promised Content-Length exceeds what it sends.
RESET_MID_BODY_SHORTFALL = 1024 * 1024
STATS_PATHS = ("/__stats", "/__reset_stats")
FORCE_STATUS_PREFIX = "/__force_status/"


def is_control_path(path: str) -> bool:
    """The test's own endpoints, left out of the stats."""
    return path in STATS_PATHS or path.startswith(FORCE_STATUS_PREFIX)


class BadRequest(Exception):
    """The request cannot be parsed; answered with `status` and a close."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status


class ConnectionAbandoned(Exception):
    """The handler is done with the connection (reset, hang or malformed
    response already sent) and nothing more may be written to it."""


@dataclasses.dataclass
class Request:
    method: str
    target: str
    path: str
    query: dict[str, str]
    version: str
    headers: list[tuple[str, str]]
    trailers: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    body: bytes = b""
    number_on_connection: int = 0

    def header_values(self, name: str) -> list[str]:
        lowered = name.lower()
        return [value for key, value in self.headers if key.lower() == lowered]

    def header_tokens(self, name: str) -> list[str]:
        return [token.strip().lower() for value in self.header_values(name)
                for token in value.split(",") if token.strip()]

    @property
    def is_head(self) -> bool:
        return self.method == "HEAD"

    @property
    def wants_keep_alive(self) -> bool:
        # Both Content-Length and Transfer-Encoding: RFC 9112 section 6.3
        # requires closing after the response.
        if self.header_values("content-length") and self.header_values("transfer-encoding"):
            return False
        tokens = self.header_tokens("connection")
        if self.version == "HTTP/1.1":
            return "close" not in tokens
        return "keep-alive" in tokens


@dataclasses.dataclass(eq=False)
class Connection:
    id: int
    generation: int
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    requests_seen: int = 0
    counted_requests: int = 0
    # Whether this connection is part of stats.connections_accepted.
    counted: bool = True
    # Set by ?close_next=1: the next request on this connection is read and
    # the connection closed without a response, as a server does when it
    # times out a keep-alive connection just as the client reuses it.
    close_next: bool = False

    @property
    def carried_only_stats(self) -> bool:
        return self.requests_seen > 0 and self.counted_requests == 0


class Stats:
    def __init__(self) -> None:
        self.generation = 0
        self.connections_accepted = 0
        self.requests = 0
        self.requests_by_path: dict[str, int] = {}
        self.open_connections: set[Connection] = set()
        self.requests_in_flight = 0
        self.max_requests_in_flight = 0

    def on_accept(self, connection: Connection) -> None:
        self.connections_accepted += 1
        self.open_connections.add(connection)

    def on_close(self, connection: Connection) -> None:
        self.open_connections.discard(connection)

    def on_request(self, connection: Connection, path: str) -> None:
        connection.requests_seen += 1
        in_this_generation = connection.generation == self.generation
        if is_control_path(path):
            # A connection opened only to read the stats must not show up in them.
            if connection.counted_requests == 0 and connection.counted and in_this_generation:
                self.connections_accepted -= 1
                connection.counted = False
            return
        connection.counted_requests += 1
        if not connection.counted and in_this_generation:
            self.connections_accepted += 1
            connection.counted = True
        self.requests += 1
        self.requests_by_path[path] = self.requests_by_path.get(path, 0) + 1

    def request_started(self) -> None:
        self.requests_in_flight += 1
        self.max_requests_in_flight = max(self.max_requests_in_flight, self.requests_in_flight)

    def request_finished(self) -> None:
        self.requests_in_flight -= 1

    def reset(self) -> None:
        self.generation += 1
        self.connections_accepted = 0
        self.requests = 0
        self.requests_by_path = {}
        self.max_requests_in_flight = self.requests_in_flight

    def snapshot(self) -> dict:
        return {
            "connections_accepted": self.connections_accepted,
            "connections_open": sum(1 for c in self.open_connections if not c.carried_only_stats),
            "requests": self.requests,
            "requests_by_path": dict(sorted(self.requests_by_path.items())),
            "requests_in_flight": self.requests_in_flight,
            "max_requests_in_flight": self.max_requests_in_flight,
        }


def pattern_pieces(total: int):
    """Yields the first `total` bytes of the deterministic pattern in pieces of
    PATTERN_PIECE_BYTES (the last one shorter)."""
    generator = random.Random(PATTERN_SEED)
    remaining = total
    while remaining > 0:
        piece = generator.randbytes(PATTERN_PIECE_BYTES)[:remaining]
        remaining -= len(piece)
        yield piece


@functools.lru_cache(maxsize=64)
def pattern_sha256(total: int) -> str:
    digest = hashlib.sha256()
    for piece in pattern_pieces(total):
        digest.update(piece)
    return digest.hexdigest()


def reason_phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def parse_header_line(line: bytes) -> tuple[str, str]:
    if line[:1] in (b" ", b"\t"):
        raise BadRequest(400, "obsolete line folding is not accepted")
    name, colon, value = line.partition(b":")
    if not colon or not name or name != name.strip() or b" " in name or b"\t" in name:
        raise BadRequest(400, f"malformed header line {line[:80]!r}")
    return name.decode("latin-1"), value.strip(b" \t").decode("latin-1")


async def read_line(reader: asyncio.StreamReader) -> bytes:
    """One CRLF-terminated line without its CRLF. Bare LF is rejected: the
    upstream is strict so that a proxy's framing mistakes become visible."""
    try:
        line = await reader.readuntil(b"\n")
    except asyncio.LimitOverrunError as error:
        raise BadRequest(431, "line too long") from error
    if not line.endswith(b"\r\n"):
        raise BadRequest(400, "line not terminated by CRLF")
    return line[:-2]


async def read_header_block(reader: asyncio.StreamReader) -> list[tuple[str, str]]:
    headers = []
    head_bytes = 0
    while True:
        line = await read_line(reader)
        if not line:
            return headers
        head_bytes += len(line) + 2
        if head_bytes > MAX_HEAD_BYTES or len(headers) >= MAX_HEADER_COUNT:
            raise BadRequest(431, "header block too large")
        headers.append(parse_header_line(line))


async def read_request_head(reader: asyncio.StreamReader) -> Request | None:
    """The next request's line and headers, or None when the client closed
    the connection cleanly between requests."""
    try:
        request_line = await read_line(reader)
    except asyncio.IncompleteReadError as error:
        if not error.partial:
            return None
        raise
    parts = request_line.decode("latin-1").split(" ")
    if len(parts) != 3 or not all(parts):
        raise BadRequest(400, f"malformed request line {request_line[:80]!r}")
    method, target, version = parts
    if version not in ("HTTP/1.0", "HTTP/1.1"):
        raise BadRequest(505, f"unsupported version {version}")
    headers = await read_header_block(reader)
    split = urllib.parse.urlsplit(target)
    query = {key: values[0] for key, values in
             urllib.parse.parse_qs(split.query, keep_blank_values=True).items()}
    return Request(method=method, target=target, path=split.path or "/", query=query,
                   version=version, headers=headers)


def body_framing(request: Request) -> tuple[bool, int]:
    """(chunked, content_length) of the request body, by RFC 9112 section 6.3."""
    transfer_codings = request.header_tokens("transfer-encoding")
    if transfer_codings:
        if transfer_codings[-1] != "chunked":
            raise BadRequest(400, "request transfer coding does not end in chunked")
        return True, 0
    lengths = set()
    for value in request.header_values("content-length"):
        for item in value.split(","):
            item = item.strip()
            if not item.isdigit():
                raise BadRequest(400, f"invalid Content-Length {value!r}")
            lengths.add(int(item))
    if len(lengths) > 1:
        raise BadRequest(400, "conflicting Content-Length values")
    return False, lengths.pop() if lengths else 0


async def read_chunked_body(reader: asyncio.StreamReader) -> tuple[bytes, list[tuple[str, str]]]:
    body = bytearray()
    while True:
        size_line = await read_line(reader)
        size_text = size_line.split(b";", 1)[0].strip(b" \t")
        try:
            if not size_text or size_text.startswith((b"+", b"-", b"0x", b"0X")):
                raise ValueError
            size = int(size_text, 16)
        except ValueError as error:
            raise BadRequest(400, f"invalid chunk size line {size_line[:80]!r}") from error
        if size == 0:
            return bytes(body), await read_header_block(reader)
        body += await reader.readexactly(size)
        if await reader.readexactly(2) != b"\r\n":
            raise BadRequest(400, "chunk data not followed by CRLF")


async def read_body(request: Request, connection: Connection) -> None:
    chunked, content_length = body_framing(request)
    expects_body = chunked or content_length > 0
    if (expects_body and request.version == "HTTP/1.1"
            and "100-continue" in request.header_tokens("expect")):
        connection.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        await connection.writer.drain()
    if chunked:
        request.body, request.trailers = await read_chunked_body(connection.reader)
    elif content_length:
        request.body = await connection.reader.readexactly(content_length)


class Upstream:
    def __init__(self, name: str):
        self.name = name
        self.stats = Stats()
        self.connection_ids = itertools.count(1)
        self.fail_first_counts: dict[str, int] = {}
        self.forced_status = 0  # /__force_status: 0 serves by path

    # ---- connection loop -------------------------------------------------

    async def serve_connection(self, reader: asyncio.StreamReader,
                               writer: asyncio.StreamWriter) -> None:
        connection = Connection(next(self.connection_ids), self.stats.generation, reader, writer)
        self.stats.on_accept(connection)
        try:
            while await self.serve_one_request(connection):
                pass
        except BadRequest as error:
            await self.send_error_and_close(connection, error)
        except (ConnectionAbandoned, ConnectionError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            # Only shutdown cancels a connection. Ending normally keeps
            # Python 3.11's StreamReaderProtocol from logging the
            # cancellation as an unhandled error.
            pass
        finally:
            self.stats.on_close(connection)
            writer.close()

    async def serve_one_request(self, connection: Connection) -> bool:
        """Serves the next request; False when the connection must close."""
        request = await read_request_head(connection.reader)
        if request is None:
            return False
        request.number_on_connection = connection.requests_seen + 1
        self.stats.on_request(connection, request.path)
        if connection.close_next:
            return False
        connection.close_next = request.query.get("close_next") == "1"
        counted = not is_control_path(request.path)
        if counted:
            self.stats.request_started()
        try:
            return await self.dispatch(request, connection)
        finally:
            if counted:
                self.stats.request_finished()

    async def send_error_and_close(self, connection: Connection, error: BadRequest) -> None:
        body = f"{error}\n".encode()
        head = (f"HTTP/1.1 {error.status} {reason_phrase(error.status)}\r\n"
                f"x-upstream-name: {self.name}\r\n"
                "Content-Type: text/plain\r\n"
                f"Content-Length: {len(body)}\r\n"
                "Connection: close\r\n\r\n").encode()
        try:
            connection.writer.write(head + body)
            await connection.writer.drain()
        except ConnectionError:
            pass

    # ---- responses ---------------------------------------------------------

    def response_head(self, request: Request, status: int, headers: list[tuple[str, str]],
                      keep_alive: bool) -> bytes:
        lines = [f"HTTP/1.1 {status} {reason_phrase(status)}", f"x-upstream-name: {self.name}"]
        lines += [f"{name}: {value}" for name, value in headers]
        if not keep_alive:
            lines.append("Connection: close")
        elif request.version == "HTTP/1.0":
            lines.append("Connection: keep-alive")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    async def respond(self, request: Request, connection: Connection, status: int,
                      body: bytes, content_type: str = "text/plain",
                      extra_headers: list[tuple[str, str]] | None = None,
                      keep_alive: bool | None = None) -> bool:
        keep_alive = request.wants_keep_alive if keep_alive is None else keep_alive
        headers = list(extra_headers or [])
        bodiless_status = status in (204, 304)
        if not bodiless_status:
            headers += [("Content-Type", content_type), ("Content-Length", str(len(body)))]
        head = self.response_head(request, status, headers, keep_alive)
        send_body = not (bodiless_status or request.is_head)
        connection.writer.write(head + body if send_body else head)
        await connection.writer.drain()
        return keep_alive

    async def respond_json(self, request: Request, connection: Connection, status: int,
                           document: dict, **options) -> bool:
        body = (json.dumps(document) + "\n").encode()
        return await self.respond(request, connection, status, body, "application/json", **options)

    def describe(self, request: Request, connection: Connection) -> dict:
        return {
            "method": request.method,
            "path": request.target,
            "http_version": request.version,
            "headers": [[name, value] for name, value in request.headers],
            "trailers": [[name, value] for name, value in request.trailers],
            "body_length": len(request.body),
            "body_sha256": hashlib.sha256(request.body).hexdigest(),
            "server": self.name,
            "connection_id": connection.id,
            "request_number_on_connection": request.number_on_connection,
        }

    # ---- endpoints ---------------------------------------------------------

    async def dispatch(self, request: Request, connection: Connection) -> bool:
        """Runs the endpoint for `request`; returns whether to keep the
        connection open for the next request."""
        await read_body(request, connection)
        if "delay_ms" in request.query or "jitter_ms" in request.query:
            delay_ms = parse_count(request.query.get("delay_ms", "0"), "delay_ms")
            delay_ms += random.uniform(0, parse_count(request.query.get("jitter_ms", "0"), "jitter_ms"))
            await asyncio.sleep(delay_ms / 1000)
        segments = request.path.strip("/").split("/")
        endpoint, argument = segments[0], "/".join(segments[1:])
        if request.path == "/__stats":
            return await self.respond_json(request, connection, 200, self.stats.snapshot())
        if request.path == "/__reset_stats":
            self.stats.reset()
            return await self.respond_json(request, connection, 200, self.stats.snapshot())
        if request.path.startswith(FORCE_STATUS_PREFIX):
            status = parse_count(request.path[len(FORCE_STATUS_PREFIX):], "status")
            if status != 0 and not 200 <= status <= 599:
                raise BadRequest(400, f"/__force_status wants 0 or 200-599, got {status}")
            self.forced_status = status
            return await self.respond_json(request, connection, 200, {"forced_status": status})
        if self.forced_status:
            return await self.respond(request, connection, self.forced_status,
                                      f"forced status {self.forced_status} from {self.name}\n".encode())
        if endpoint == "status" and argument:
            return await self.status(request, connection, argument)
        if endpoint == "delay" and argument:
            await asyncio.sleep(parse_count(argument, "delay") / 1000)
        elif endpoint == "hang":
            await self.hang(connection)
        elif endpoint == "reset":
            reset_connection(connection)
        elif endpoint == "reset-mid-body":
            await self.reset_mid_body(request, connection)
        elif endpoint == "bytes" and argument:
            return await self.send_pattern(request, connection, parse_count(argument, "byte count"))
        elif endpoint == "malformed":
            await self.malformed(request, connection)
        elif endpoint == "raw":
            await self.raw(request, connection)
        elif endpoint == "close":
            return await self.respond_json(request, connection, 200,
                                           self.describe(request, connection), keep_alive=False)
        elif endpoint == "fail-first" and argument:
            return await self.fail_first(request, connection, parse_count(argument, "failure count"))
        elif endpoint == "flaky" and argument:
            percent = parse_count(argument, "failure percentage")
            if random.randrange(100) < percent:
                return await self.respond(request, connection, 503, f"flaky failure from {self.name}\n".encode())
        elif endpoint == "slow-on" and argument.count("/") == 1:
            slow_name, delay = argument.split("/")
            if slow_name == self.name:
                await asyncio.sleep(parse_count(delay, "delay") / 1000)
        return await self.respond_json(request, connection, 200, self.describe(request, connection))

    async def status(self, request: Request, connection: Connection, argument: str) -> bool:
        status = parse_count(argument, "status")
        if not 200 <= status <= 599:
            raise BadRequest(400, f"/status wants 200-599, got {status}")
        return await self.respond(request, connection, status,
                                  f"status {status} from {self.name}\n".encode())

    async def hang(self, connection: Connection) -> None:
        # Keep reading (and discarding) so that the client's close is noticed.
        while await connection.reader.read(65536):
            pass
        raise ConnectionAbandoned

    async def reset_mid_body(self, request: Request, connection: Connection) -> None:
        sent_bytes = parse_count(request.query.get("bytes", "0"), "bytes")
        head = self.response_head(request, 200, [
            ("Content-Type", "application/octet-stream"),
            ("Content-Length", str(sent_bytes + RESET_MID_BODY_SHORTFALL)),
        ], keep_alive=True)
        connection.writer.write(head)
        for piece in pattern_pieces(sent_bytes):
            connection.writer.write(piece)
            await connection.writer.drain()
        await flush_to_kernel(connection)
        # Give the peer a moment to read the bytes before the RST arrives, so
        # the test sees "N bytes, then reset" rather than a bare reset.
        await asyncio.sleep(0.05)
        reset_connection(connection)

    async def send_pattern(self, request: Request, connection: Connection, total: int) -> bool:
        keep_alive = request.wants_keep_alive
        # HTTP/1.0 clients cannot receive chunked bodies.
        chunked = request.query.get("chunked") == "1" and request.version == "HTTP/1.1"
        pause_seconds = parse_count(request.query.get("slow_ms", "0"), "slow_ms") / 1000
        # Hashing a large body takes a while; do not stall other connections.
        digest = await asyncio.to_thread(pattern_sha256, total)
        headers = [("Content-Type", "application/octet-stream"), ("x-body-sha256", digest)]
        headers.append(("Transfer-Encoding", "chunked") if chunked
                       else ("Content-Length", str(total)))
        writer = connection.writer
        writer.write(self.response_head(request, 200, headers, keep_alive))
        if request.is_head:
            await writer.drain()
            return keep_alive
        chunk_sizes = random.Random(total)
        pieces = with_last_flag(pattern_pieces(total))
        for piece, is_last in pieces:
            if chunked:
                offset = 0
                while offset < len(piece):
                    size = min(chunk_sizes.randint(8 * 1024, 24 * 1024), len(piece) - offset)
                    writer.write(b"%x\r\n" % size + piece[offset:offset + size] + b"\r\n")
                    offset += size
            else:
                writer.write(piece)
            await writer.drain()
            # drain() does not yield while the socket keeps up; yield anyway
            # so that one large body does not starve the other connections.
            await asyncio.sleep(pause_seconds if not is_last else 0)
        if chunked:
            writer.write(b"0\r\n\r\n")
        await writer.drain()
        return keep_alive

    async def malformed(self, request: Request, connection: Connection) -> None:
        kind = request.query.get("kind", "badstatus")
        name = f"x-upstream-name: {self.name}\r\n"
        responses = {
            "badstatus": f"HTTP/1.1 2OO OK\r\n{name}Content-Length: 2\r\n\r\nok",
            "badheader": f"HTTP/1.1 200 OK\r\n{name}Content-Length : 2\r\n\r\nok",
            "badchunk": (f"HTTP/1.1 200 OK\r\n{name}Transfer-Encoding: chunked\r\n\r\n"
                         "zz\r\nhello\r\n0\r\n\r\n"),
            "nocrlf": f"HTTP/1.1 200 OK\r\n{name}Content-Length: 2",
        }
        if kind not in responses:
            raise BadRequest(400, f"unknown malformed kind {kind!r}; "
                                  f"one of {', '.join(responses)}")
        connection.writer.write(responses[kind].encode())
        await connection.writer.drain()
        raise ConnectionAbandoned

    async def raw(self, request: Request, connection: Connection) -> None:
        try:
            response = base64.urlsafe_b64decode(request.query.get("b64", ""))
        except (binascii.Error, ValueError) as error:
            raise BadRequest(400, f"/raw wants base64url bytes in b64: {error}") from error
        connection.writer.write(response)
        await connection.writer.drain()
        await self.hang(connection)

    async def fail_first(self, request: Request, connection: Connection, failures: int) -> bool:
        key = request.query.get("key", "")
        attempt = self.fail_first_counts.get(key, 0) + 1
        self.fail_first_counts[key] = attempt
        attempt_header = [("x-fail-first-attempt", str(attempt))]
        if attempt <= failures:
            return await self.respond(request, connection, 503,
                                      f"attempt {attempt} of key {key!r} fails\n".encode(),
                                      extra_headers=attempt_header)
        return await self.respond_json(request, connection, 200, self.describe(request, connection),
                                       extra_headers=attempt_header)


def parse_count(text: str, what: str) -> int:
    if not text.isdigit():
        raise BadRequest(400, f"{what} must be a non-negative integer, got {text!r}")
    return int(text)


def with_last_flag(iterable):
    """Yields (item, is_last) pairs."""
    iterator = iter(iterable)
    try:
        current = next(iterator)
    except StopIteration:
        return
    for following in iterator:
        yield current, False
        current = following
    yield current, True


async def flush_to_kernel(connection: Connection) -> None:
    """Waits until asyncio has handed every buffered byte to the socket."""
    transport = connection.writer.transport
    transport.set_write_buffer_limits(high=0)
    await connection.writer.drain()


def reset_connection(connection: Connection) -> None:
    """Closes with SO_LINGER 0, which makes the kernel send RST instead of FIN,
    and unwinds the handler: nothing more can be sent on the connection."""
    sock = connection.writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    connection.writer.transport.abort()
    raise ConnectionAbandoned


def write_ready_file(path: str, port: int) -> None:
    temporary = f"{path}.{os.getpid()}.tmp"
    with open(temporary, "w") as ready:
        ready.write(f"{port}\n")
    os.replace(temporary, path)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True, help="0 picks a free port")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--name", default="test-upstream",
                        help="reported in x-upstream-name and /echo's server field")
    parser.add_argument("--ready-file", help="written with the port once listening")
    options = parser.parse_args()

    upstream = Upstream(options.name)
    server = await asyncio.start_server(upstream.serve_connection, options.host, options.port,
                                        limit=MAX_LINE_BYTES, reuse_address=True)
    port = server.sockets[0].getsockname()[1]
    if options.ready_file:
        write_ready_file(options.ready_file, port)
    print(f"listening on {options.host}:{port}", flush=True)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    async with server:
        await stop.wait()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except OSError as error:
        print(f"test_upstream: {error}", file=sys.stderr)
        sys.exit(1)
