#!/usr/bin/env python3
"""One service of the chaos chain: answers GET requests over HTTP/1.1
keep-alive. A leaf answers 200 itself; any other service first calls the
next hop (its own switchyard sidecar's egress listener) with the same path
and the headers a service in a mesh passes on (request id, trace context,
the deadline), and answers with that call's status.

    chain_service.py --port N --name NAME [--next-port M] [--ready-file PATH]

Control, not counted as traffic:
  GET /__slow/MS   from now on wait MS ms before answering each request
  GET /__stats     JSON {requests, in_flight}

Python 3.11 standard library only."""
from __future__ import annotations

import argparse
import asyncio
import json
import os

# Headers a service copies from the request it serves to the call it makes.
PROPAGATED = ("x-request-id", "x-request-timeout-ms", "traceparent", "tracestate", "b3",
              "x-b3-traceid", "x-b3-spanid", "x-b3-parentspanid", "x-b3-sampled")


class NextHop:
    """Keep-alive connections to the next hop, reused one request at a time."""

    def __init__(self, port: int):
        self.port = port
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def call(self, path: str, headers: dict[str, str]) -> int:
        """The status of GET `path`, or 502 when the hop cannot be reached."""
        connection = self.idle.pop() if self.idle else None
        for fresh in (False, True):
            if connection is None or fresh:
                try:
                    connection = await asyncio.open_connection("127.0.0.1", self.port)
                except OSError:
                    return 502
            reader, writer = connection
            head = f"GET {path} HTTP/1.1\r\nhost: next\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
            try:
                writer.write((head + "\r\n").encode())
                status, _, keep_alive = await read_response(reader)
            except (OSError, asyncio.IncompleteReadError, ValueError):
                writer.close()
                connection = None
                if not fresh:
                    continue  # a pooled connection the hop had closed
                return 502
            if keep_alive:
                self.idle.append(connection)
            else:
                writer.close()
            return status
        return 502


async def read_response(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bool]:
    """One response: its status, its headers (names lower-cased) and whether
    the connection stays open. The body is read and dropped."""
    status_line = await reader.readuntil(b"\r\n")
    status = int(status_line.split(b" ", 2)[1])
    headers: dict[str, str] = {}
    while True:
        line = await reader.readuntil(b"\r\n")
        if line == b"\r\n":
            break
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    if "chunked" in headers.get("transfer-encoding", "").lower():
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif int(headers.get("content-length", "0")):
        await reader.readexactly(int(headers["content-length"]))
    return status, headers, headers.get("connection", "").lower() != "close"


class Service:
    def __init__(self, name: str, next_port: int | None):
        self.name = name
        self.next_hop = NextHop(next_port) if next_port else None
        self.slow_ms = 0
        self.requests = 0
        self.in_flight = 0

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request_line = await reader.readuntil(b"\r\n")
                headers: dict[str, str] = {}
                while True:
                    line = await reader.readuntil(b"\r\n")
                    if line == b"\r\n":
                        break
                    name, _, value = line.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                path = request_line.split(b" ")[1].decode("latin-1")
                status, body = await self.answer(path, headers)
                writer.write(f"HTTP/1.1 {status} X\r\ncontent-length: {len(body)}\r\n"
                             f"x-service: {self.name}\r\n\r\n".encode() + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()

    async def answer(self, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
        if path.startswith("/__slow/"):
            self.slow_ms = int(path[len("/__slow/"):])
            return 200, b"ok\n"
        if path == "/__stats":
            return 200, json.dumps({"requests": self.requests, "in_flight": self.in_flight}).encode()
        self.requests += 1
        self.in_flight += 1
        try:
            if self.slow_ms:
                await asyncio.sleep(self.slow_ms / 1000)
            if self.next_hop is None:
                return 200, b"leaf\n"
            passed = {name: value for name, value in headers.items() if name in PROPAGATED}
            status = await self.next_hop.call(path, passed)
            return status, f"{self.name} -> {status}\n".encode()
        finally:
            self.in_flight -= 1


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--next-port", type=int)
    parser.add_argument("--ready-file")
    options = parser.parse_args()
    service = Service(options.name, options.next_port)
    server = await asyncio.start_server(service.serve, "127.0.0.1", options.port, reuse_address=True)
    if options.ready_file:
        temporary = options.ready_file + ".tmp"
        with open(temporary, "w") as ready:
            ready.write(str(server.sockets[0].getsockname()[1]))
        os.replace(temporary, options.ready_file)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
