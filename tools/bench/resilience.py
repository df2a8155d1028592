#!/usr/bin/env python3
"""Resilience benchmark: what the retry module buys against a flaky upstream.

An upstream (tools/test_upstream.py, /flaky/P) answers 503 to P percent of
requests at random. wrk loads switchyard in front of it twice, with the same
fixed connections and duration: once with no filters, once with the timeout
and retry filters (retry on 5xx, 3 retries, the default retry budget). For
each run it reports the success rate the clients saw and the upstream load
(upstream requests per client request), and checks the retry budget's
counters on the admin endpoint.

    tools/bench/resilience.py [--switchyard PATH] [--failure-percent 10]
                              [--duration 10] [--connections 128]
                              [--upstream-delay-ms 5] [--upstream-jitter-ms 10]

Only 127.0.0.1; every port is picked free at start; every process started
is stopped at the end.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"resilience: {what} exited with {process.returncode} at start")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"resilience: {what} never listened on {port}")


def get(port: int, path: str) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
        return response.read().decode()


def proxy_config(port: int, admin_port: int, upstream_port: int, with_retry: bool) -> str:
    filters = """    filters:
      - name: timeout
        config: { request_timeout_ms: 3000 }
      - name: retry
        config: { retry_on: [5xx], num_retries: 3, per_try_timeout_ms: 300 }
""" if with_retry else ""
    return f"""
admin: {{ address: 127.0.0.1, port: {admin_port} }}
listeners:
  - name: edge
    address: 127.0.0.1
    port: {port}
{filters}    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
          - match: {{ prefix: / }}
            route: {{ cluster: backend }}
clusters:
  - name: backend
    endpoints:
      - {{ address: 127.0.0.1, port: {upstream_port} }}
"""


def run_wrk(port: int, path: str, duration: int, connections: int) -> tuple[int, int]:
    """(requests completed, non-2xx/3xx responses)."""
    finished = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{duration}s",
                               f"http://127.0.0.1:{port}{path}"],
                              capture_output=True, text=True, timeout=duration + 60)
    if finished.returncode != 0:
        sys.exit(f"resilience: wrk failed: {finished.stderr or finished.stdout}")
    requests = int(re.search(r"(\d+) requests in", finished.stdout).group(1))
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", finished.stdout)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", finished.stdout)
    socket_errors = sum(map(int, errors.groups())) if errors else 0
    return requests, (int(failed.group(1)) if failed else 0) + socket_errors


def measure(binary: Path, work_dir: Path, upstream_port: int, with_retry: bool,
            options: argparse.Namespace) -> dict:
    port, admin_port = free_port(), free_port()
    config = work_dir / ("with-retry.yaml" if with_retry else "no-retry.yaml")
    config.write_text(proxy_config(port, admin_port, upstream_port, with_retry))
    log = open(work_dir / (config.stem + ".log"), "wb")
    proxy = subprocess.Popen([str(binary), "-c", str(config), "--concurrency", "1", "-l", "warn"],
                             stdout=log, stderr=log)
    try:
        wait_for_port(port, proxy, "switchyard")
        get(upstream_port, "/__reset_stats")
        requests, failed = run_wrk(port, (f"/flaky/{options.failure_percent}?delay_ms={options.upstream_delay_ms}"
                                    f"&jitter_ms={options.upstream_jitter_ms}"),
                                   options.duration, options.connections)
        if proxy.poll() is not None:
            log.flush()
            tail = (work_dir / (config.stem + ".log")).read_text(errors="replace")[-3000:]
            sys.exit(f"resilience: switchyard exited with {proxy.returncode} during the run:\n{tail}")
        upstream_requests = json.loads(get(upstream_port, "/__stats"))["requests"]
        stats = {}
        for line in get(admin_port, "/stats").splitlines():
            name, _, value = line.partition(": ")
            stats[name] = int(value.split()[0])
    finally:
        proxy.terminate()
        proxy.wait(timeout=20)
        log.close()
    return {
        "client_requests": requests,
        "client_failures": failed,
        "success_rate": (requests - failed) / requests if requests else 0.0,
        "upstream_requests": upstream_requests,
        "upstream_load": upstream_requests / requests if requests else 0.0,
        "retries": stats.get("retry.retries", 0),
        "retry_overflow": stats.get("retry.retry_overflow", 0),
        "retry_limit_exceeded": stats.get("retry.retry_limit_exceeded", 0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--switchyard", default=str(REPO_ROOT / "build" / "host" / "switchyard"))
    parser.add_argument("--failure-percent", type=int, default=10)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=128)
    parser.add_argument("--upstream-delay-ms", type=int, default=5,
                        help="least upstream service time per request (a real service is not instant)")
    parser.add_argument("--upstream-jitter-ms", type=int, default=10,
                        help="plus a uniformly random 0..N ms, so responses do not arrive in lockstep")
    parser.add_argument("--json", help="also write the numbers to this file")
    options = parser.parse_args()
    binary = Path(options.switchyard)
    if not os.access(binary, os.X_OK):
        sys.exit(f"resilience: {binary} is not an executable (build first: ninja -C build)")

    with tempfile.TemporaryDirectory(prefix="switchyard-resilience-") as work:
        work_dir = Path(work)
        upstream_port = free_port()
        upstream_log = open(work_dir / "upstream.log", "wb")
        upstream = subprocess.Popen([sys.executable, str(REPO_ROOT / "tools" / "test_upstream.py"),
                                     "--port", str(upstream_port), "--name", "flaky"],
                                    stdout=upstream_log, stderr=upstream_log)
        try:
            wait_for_port(upstream_port, upstream, "test upstream")
            results = {
                "without_retry": measure(binary, work_dir, upstream_port, False, options),
                "with_retry": measure(binary, work_dir, upstream_port, True, options),
            }
        finally:
            upstream.terminate()
            upstream.wait(timeout=10)
            upstream_log.close()

    print(f"upstream fails {options.failure_percent}% at random with 503, service time "
          f"{options.upstream_delay_ms}-{options.upstream_delay_ms + options.upstream_jitter_ms} ms; "
          f"wrk -c{options.connections} -d{options.duration}s per run\n")
    print(f"{'run':<15}{'client req':>11}{'failed':>8}{'success':>10}{'upstream req':>14}"
          f"{'load':>7}{'retries':>9}{'overflow':>10}")
    for name, row in results.items():
        print(f"{name:<15}{row['client_requests']:>11,}{row['client_failures']:>8,}"
              f"{row['success_rate'] * 100:>9.3f}%{row['upstream_requests']:>14,}"
              f"{row['upstream_load']:>6.3f}x{row['retries']:>9,}{row['retry_overflow']:>10,}")
    if options.json:
        Path(options.json).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
