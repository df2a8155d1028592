"""A fixed number of GET requests through the chain from a few concurrent
keep-alive clients, each request timed; a progress line while it runs."""
from __future__ import annotations

import asyncio
import dataclasses
import sys
import time

from chain_service import read_response


@dataclasses.dataclass
class Outcome:
    started: float   # seconds since the run began
    latency_ms: float
    status: int      # 0: the connection failed
    overloaded: bool  # the response named a breaker or limit (x-switchyard-overloaded)


@dataclasses.dataclass
class RunResult:
    outcomes: list[Outcome]

    @property
    def success_rate(self) -> float:
        return sum(1 for outcome in self.outcomes if outcome.status == 200) / max(1, len(self.outcomes))

    def latency_percentile(self, percent: float, only_failures: bool = False) -> float:
        values = sorted(outcome.latency_ms for outcome in self.outcomes
                        if not only_failures or outcome.status != 200)
        if not values:
            return 0.0
        return values[min(len(values) - 1, int(len(values) * percent / 100))]


async def one_request(reader, writer, path: str) -> tuple[int, bool, bool]:
    """GET `path`: the status, whether a breaker or limit refused it
    (x-switchyard-overloaded), and whether the connection stays open."""
    writer.write(f"GET {path} HTTP/1.1\r\nhost: chain\r\n\r\n".encode())
    status, headers, keep_alive = await read_response(reader)
    return status, "x-switchyard-overloaded" in headers, keep_alive


async def run_load(port: int, total: int, clients: int, label: str) -> RunResult:
    outcomes: list[Outcome] = []
    next_index = 0
    begin = time.monotonic()

    async def client() -> None:
        nonlocal next_index
        connection = None
        while next_index < total:
            next_index += 1
            started = time.monotonic()
            try:
                if connection is None:
                    connection = await asyncio.open_connection("127.0.0.1", port)
                status, overloaded, keep_alive = await asyncio.wait_for(
                    one_request(*connection, "/chain"), timeout=30)
                if not keep_alive:
                    connection[1].close()
                    connection = None
            except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError):
                status, overloaded = 0, False
                if connection is not None:
                    connection[1].close()
                connection = None
            outcomes.append(Outcome(started - begin, (time.monotonic() - started) * 1000, status, overloaded))
        if connection is not None:
            connection[1].close()

    async def progress() -> None:
        while True:
            await asyncio.sleep(1)
            done = len(outcomes)
            ok = sum(1 for outcome in outcomes if outcome.status == 200)
            sys.stderr.write(f"\r  {label}: {done}/{total} requests, {100 * ok / max(1, done):.2f}% ok   ")
            sys.stderr.flush()

    reporter = asyncio.create_task(progress())
    await asyncio.gather(*(client() for _ in range(clients)))
    reporter.cancel()
    sys.stderr.write("\r" + " " * 78 + "\r")
    return RunResult(outcomes)
