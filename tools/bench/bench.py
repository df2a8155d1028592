#!/usr/bin/env python3
"""Benchmarks switchyard against nginx and haproxy as reverse proxies.

Every proxy forwards to the same backend (nginx returning a small static
body) and is driven by the same wrk command. The proxy under test is pinned
to one CPU; the backend and wrk share the other, so the proxy is the only
thing on its core and its CPU time per request is measured cleanly from
/proc. Started through run.sh; see README.md for how to read the output.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BUILD_DIR = REPO_ROOT / "build-release"
BACKEND_BODY = "hello from the switchyard benchmark backend\n"
STARTUP_TIMEOUT_S = 15.0
CLOCK_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


class BenchError(Exception):
    pass


# ---- processes ------------------------------------------------------------

class ProcessSet:
    """Every process the benchmark starts, so that all of them are stopped on
    any exit: normal, error, Ctrl-C or SIGTERM."""

    def __init__(self) -> None:
        self.processes: list[subprocess.Popen] = []

    def start(self, command: list[str], log_path: Path) -> subprocess.Popen:
        with open(log_path, "wb") as log:
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log,
                                       stderr=subprocess.STDOUT)
        self.processes.append(process)
        return process

    def stop(self, process: subprocess.Popen) -> None:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.remove(process)

    def stop_all(self) -> None:
        for process in reversed(list(self.processes)):
            self.stop(process)


def pinned(cpu: int | None, command: list[str]) -> list[str]:
    return command if cpu is None else ["taskset", "-c", str(cpu)] + command


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_serving(name: str, process: subprocess.Popen, port: int, log_path: Path) -> None:
    """Waits for the port to accept and answer a request with the backend's
    body, so that a misrouted proxy (a fast 404) cannot pass for a fast one."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    last_problem = "it never accepted a connection"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"{name} exited with status {process.returncode} while starting; "
                             f"its log ({log_path}):\n{tail(log_path)}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                body = response.read().decode(errors="replace")
            if body == BACKEND_BODY:
                return
            last_problem = f"it answered {body[:200]!r} instead of the backend's body"
        except OSError as error:
            last_problem = f"the request failed: {error}"
        time.sleep(0.1)
    raise BenchError(f"{name} was not serving on port {port} after {STARTUP_TIMEOUT_S:.0f}s: "
                     f"{last_problem}; its log ({log_path}):\n{tail(log_path)}")


def tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def process_tree(pid: int) -> list[int]:
    """pid and all its descendants (nginx's workers are children of the
    master that was started)."""
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        tree.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    pending += [int(child) for child in children.read().split()]
        except OSError:
            continue  # exited meanwhile
    return tree


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the process tree under pid, all threads."""
    ticks = 0
    for member in process_tree(pid):
        try:
            with open(f"/proc/{member}/stat") as stat:
                # The command name (field 2) may contain spaces; fields after
                # its closing parenthesis start at field 3 (state).
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime: fields 14, 15
    return ticks / CLOCK_TICKS_PER_SECOND


# ---- peer configurations ---------------------------------------------------

def nginx_main_context(work_dir: Path, role: str) -> str:
    return f"""
worker_processes 1;
daemon off;
pid {work_dir}/{role}.pid;
error_log {work_dir}/{role}-error.log warn;
events {{ worker_connections 8192; }}
"""


def nginx_temp_paths(work_dir: Path, role: str) -> str:
    """Every temp path set, so that nginx never touches the root-owned
    defaults under /var/lib/nginx."""
    temp = work_dir / f"{role}-temp"
    temp.mkdir(exist_ok=True)
    return "\n".join(f"  {kind}_temp_path {temp}/{kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))


def backend_nginx_config(work_dir: Path, port: int) -> str:
    return nginx_main_context(work_dir, "backend") + f"""
http {{
  access_log off;
{nginx_temp_paths(work_dir, "backend")}
  keepalive_requests 1000000;
  keepalive_timeout 300s;
  default_type text/plain;
  server {{
    listen 127.0.0.1:{port} backlog=4096;
    location / {{ return 200 "{BACKEND_BODY.strip()}\\n"; }}
  }}
}}
"""


def nginx_proxy_config(work_dir: Path, port: int, backend_port: int, connections: int) -> str:
    return nginx_main_context(work_dir, "nginx-proxy") + f"""
http {{
  access_log off;
{nginx_temp_paths(work_dir, "nginx-proxy")}
  keepalive_requests 1000000;
  keepalive_timeout 300s;
  upstream backend {{
    server 127.0.0.1:{backend_port};
    keepalive {connections};
    keepalive_requests 1000000;
  }}
  server {{
    listen 127.0.0.1:{port} backlog=4096;
    location / {{
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }}
  }}
}}
"""


def haproxy_config(port: int, backend_port: int, connections: int) -> str:
    # maxconn sized to the load: haproxy refuses to start when it cannot
    # raise the file limit to about twice maxconn.
    return f"""
global
  nbthread 1
  maxconn {max(1024, 2 * connections)}

defaults
  mode http
  option http-keep-alive
  http-reuse always
  timeout connect 5s
  timeout client 60s
  timeout server 60s

frontend bench
  bind 127.0.0.1:{port}
  default_backend backend

backend backend
  server backend 127.0.0.1:{backend_port}
"""


def switchyard_config(port: int, backend_port: int) -> str:
    return f"""
listeners:
  - name: bench
    address: 127.0.0.1
    port: {port}
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
          - match: {{ prefix: "/" }}
            route: {{ cluster: backend }}
clusters:
  - name: backend
    endpoints:
      - {{ address: 127.0.0.1, port: {backend_port} }}
"""


# ---- wrk -------------------------------------------------------------------

@dataclasses.dataclass
class LoadResult:
    requests: int
    duration_s: float
    requests_per_second: float
    latency_us: dict[str, float]  # "50", "75", "90", "99" percentiles
    non_2xx_3xx: int
    socket_errors: dict[str, int]
    proxy_cpu_us_per_request: float | None = None


WRK_DURATION_UNITS = {"us": 1.0, "ms": 1e3, "s": 1e6, "m": 60e6, "h": 3600e6}


def parse_wrk(output: str) -> LoadResult:
    percentiles = {
        match.group(1): float(match.group(2)) * WRK_DURATION_UNITS[match.group(3)]
        for match in re.finditer(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s|m|h)\s*$", output, re.M)
    }
    totals = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m|h)", output)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if not (totals and rate and len(percentiles) == 4):
        raise BenchError(f"could not parse wrk's output:\n{output}")
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                       output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return LoadResult(
        requests=int(totals.group(1)),
        duration_s=float(totals.group(2)) * WRK_DURATION_UNITS[totals.group(3)] / 1e6,
        requests_per_second=float(rate.group(1)),
        latency_us=percentiles,
        non_2xx_3xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=dict(zip(("connect", "read", "write", "timeout"),
                               map(int, errors.groups()))) if errors
        else {"connect": 0, "read": 0, "write": 0, "timeout": 0},
    )


def run_wrk(port: int, duration_s: int, connections: int, load_cpu: int | None,
            latency: bool = True) -> str:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{duration_s}s"]
    if latency:
        command.append("--latency")
    command.append(f"http://127.0.0.1:{port}/")
    finished = subprocess.run(pinned(load_cpu, command), capture_output=True, text=True,
                              timeout=duration_s + 60)
    if finished.returncode != 0:
        raise BenchError(f"wrk failed ({finished.returncode}): {finished.stderr or finished.stdout}")
    return finished.stdout


def measure(name: str, port: int, proxy: subprocess.Popen | None,
            options: argparse.Namespace) -> LoadResult:
    if options.warmup > 0:
        run_wrk(port, options.warmup, options.connections, options.load_cpu, latency=False)
    cpu_before = cpu_seconds(proxy.pid) if proxy else 0.0
    output = run_wrk(port, options.duration, options.connections, options.load_cpu)
    cpu_after = cpu_seconds(proxy.pid) if proxy else 0.0
    result = parse_wrk(output)
    if proxy and result.requests:
        result.proxy_cpu_us_per_request = (cpu_after - cpu_before) * 1e6 / result.requests
    failures = result.non_2xx_3xx + sum(result.socket_errors.values())
    if failures:
        print(f"warning: {name}: {result.non_2xx_3xx} non-2xx/3xx responses, socket errors "
              f"{result.socket_errors}", file=sys.stderr)
    if proxy and proxy.poll() is not None:
        raise BenchError(f"{name} exited during the run with status {proxy.returncode}")
    return result


# ---- the benchmark ---------------------------------------------------------

def ensure_switchyard(options: argparse.Namespace) -> Path:
    if options.switchyard:
        binary = Path(options.switchyard)
        if not os.access(binary, os.X_OK):
            raise BenchError(f"--switchyard {binary}: not an executable file")
        return binary
    binary = DEFAULT_BUILD_DIR / "host" / "switchyard"
    if not binary.exists():
        print(f"bench: {binary} missing, building a release build", file=sys.stderr)
        if not (DEFAULT_BUILD_DIR / "build.ninja").exists():
            subprocess.run(["meson", "setup", str(DEFAULT_BUILD_DIR), str(REPO_ROOT),
                            "--buildtype=release", "-Dtests=false"], check=True)
        subprocess.run(["ninja", "-C", str(DEFAULT_BUILD_DIR)], check=True)
    return binary


def choose_cpus(options: argparse.Namespace) -> None:
    available = os.sched_getaffinity(0)
    if options.proxy_cpu == options.load_cpu:
        raise BenchError("--proxy-cpu and --load-cpu must differ")
    if {options.proxy_cpu, options.load_cpu} <= available:
        return
    print(f"warning: CPUs {options.proxy_cpu} and {options.load_cpu} are not both available "
          f"(have {sorted(available)}); running unpinned, numbers will be noisy",
          file=sys.stderr)
    options.proxy_cpu = options.load_cpu = None


def tool_version(command: list[str]) -> str:
    try:
        finished = subprocess.run(command, capture_output=True, text=True, timeout=10)
    except OSError:
        return "unknown"
    return ((finished.stdout or "") + (finished.stderr or "")).strip().splitlines()[0]


@dataclasses.dataclass
class ProxyUnderTest:
    name: str
    port: int
    config_path: Path
    config_text: str
    command: list[str]


def proxies_to_measure(switchyard_binary: Path | None, work_dir: Path, backend_port: int,
                       options: argparse.Namespace) -> list[ProxyUnderTest]:
    proxies = []
    if switchyard_binary:
        port, config = free_port(), work_dir / "switchyard.yaml"
        proxies.append(ProxyUnderTest(
            "switchyard", port, config, switchyard_config(port, backend_port),
            [str(switchyard_binary), "-c", str(config), "--concurrency", "1",
             "--log-level", "warn"]))
    port, config = free_port(), work_dir / "nginx-proxy.conf"
    proxies.append(ProxyUnderTest(
        "nginx", port, config,
        nginx_proxy_config(work_dir, port, backend_port, options.connections),
        ["nginx", "-p", str(work_dir), "-e", str(work_dir / "nginx-proxy-error.log"),
         "-c", str(config)]))
    port, config = free_port(), work_dir / "haproxy.cfg"
    proxies.append(ProxyUnderTest("haproxy", port, config, haproxy_config(port, backend_port, options.connections),
                                  ["haproxy", "-db", "-f", str(config)]))
    return proxies


def run_benchmark(options: argparse.Namespace, processes: ProcessSet, work_dir: Path) -> dict:
    switchyard_binary = None if options.skip_switchyard else ensure_switchyard(options)
    results: dict[str, LoadResult] = {}

    backend_port = free_port()
    backend_config = work_dir / "backend.conf"
    backend_config.write_text(backend_nginx_config(work_dir, backend_port))
    backend_log = work_dir / "backend.log"
    backend = processes.start(pinned(options.load_cpu, [
        "nginx", "-p", str(work_dir), "-e", str(work_dir / "backend-error.log"),
        "-c", str(backend_config)]), backend_log)
    wait_until_serving("backend nginx", backend, backend_port, backend_log)
    print(f"bench: backend nginx on 127.0.0.1:{backend_port}", file=sys.stderr)

    print("bench: direct to backend", file=sys.stderr)
    results["direct"] = measure("direct", backend_port, None, options)

    for proxy in proxies_to_measure(switchyard_binary, work_dir, backend_port, options):
        proxy.config_path.write_text(proxy.config_text)
        log_path = work_dir / f"{proxy.name}.log"
        process = processes.start(pinned(options.proxy_cpu, proxy.command), log_path)
        wait_until_serving(proxy.name, process, proxy.port, log_path)
        print(f"bench: {proxy.name} on 127.0.0.1:{proxy.port}", file=sys.stderr)
        results[proxy.name] = measure(proxy.name, proxy.port, process, options)
        processes.stop(process)

    processes.stop(backend)
    return {
        "settings": {
            "duration_s": options.duration,
            "warmup_s": options.warmup,
            "connections": options.connections,
            "proxy_cpu": options.proxy_cpu,
            "load_cpu": options.load_cpu,
        },
        "environment": {
            "cpus": os.cpu_count(),
            "kernel": platform.release(),
            "nginx": tool_version(["nginx", "-v"]),
            "haproxy": tool_version(["haproxy", "-v"]),
            "wrk": tool_version(["wrk", "-v"]),
            "switchyard": str(switchyard_binary) if switchyard_binary else None,
        },
        "results": {name: dataclasses.asdict(result) for name, result in results.items()},
        "ratios_vs_nginx": ratios_against_nginx(results),
    }


def ratio(value: float | None, reference: float | None) -> float | None:
    if value is None or not reference:
        return None
    return value / reference


def ratios_against_nginx(results: dict[str, LoadResult]) -> dict:
    reference = results["nginx"]
    return {
        name: {
            "requests_per_second": ratio(result.requests_per_second, reference.requests_per_second),
            "latency_p99": ratio(result.latency_us["99"], reference.latency_us["99"]),
            "cpu_per_request": ratio(result.proxy_cpu_us_per_request,
                                     reference.proxy_cpu_us_per_request),
        }
        for name, result in results.items() if name != "direct"
    }


def format_number(value: float | None, pattern: str) -> str:
    return "-" if value is None else pattern.format(value)


def print_report(report: dict) -> None:
    settings = report["settings"]
    print(f"\n{settings['connections']} connections, {settings['duration_s']}s per run, "
          f"proxy on CPU {settings['proxy_cpu']}, backend and wrk on CPU {settings['load_cpu']}\n")
    header = (f"{'target':<12}{'req/s':>12}{'p50 µs':>10}{'p99 µs':>10}{'cpu µs/req':>12}"
              f"{'errors':>8}")
    print(header)
    print("-" * len(header))
    for name, result in report["results"].items():
        errors = result["non_2xx_3xx"] + sum(result["socket_errors"].values())
        print(f"{name:<12}{result['requests_per_second']:>12,.0f}"
              f"{result['latency_us']['50']:>10,.0f}{result['latency_us']['99']:>10,.0f}"
              f"{format_number(result['proxy_cpu_us_per_request'], '{:.2f}'):>12}{errors:>8}")
    print("\nagainst nginx as proxy (req/s: higher is better; p99 and cpu/req: lower is better)\n")
    header = f"{'proxy':<12}{'req/s':>10}{'p99':>10}{'cpu/req':>10}"
    print(header)
    print("-" * len(header))
    for name, ratios in report["ratios_vs_nginx"].items():
        print(f"{name:<12}{format_number(ratios['requests_per_second'], '{:.2f}x'):>10}"
              f"{format_number(ratios['latency_p99'], '{:.2f}x'):>10}"
              f"{format_number(ratios['cpu_per_request'], '{:.2f}x'):>10}")


def parse_options(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="run.sh", description="Benchmark switchyard against nginx and haproxy.")
    parser.add_argument("--duration", type=int, default=10, help="seconds per run (default 10)")
    parser.add_argument("--warmup", type=int, default=1,
                        help="seconds of unmeasured load before each run (default 1; 0 skips)")
    parser.add_argument("--connections", type=int, default=64,
                        help="wrk connections (default 64)")
    parser.add_argument("--switchyard", help="switchyard binary; default build-release/host/"
                        "switchyard, built when missing")
    parser.add_argument("--skip-switchyard", action="store_true",
                        help="measure only direct, nginx and haproxy")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--proxy-cpu", type=int, default=0, help="CPU for the proxy (default 0)")
    parser.add_argument("--load-cpu", type=int, default=1,
                        help="CPU for the backend and wrk (default 1)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temp dir with configs and logs")
    options = parser.parse_args(argv)
    if options.duration <= 0 or options.connections <= 0 or options.warmup < 0:
        parser.error("--duration and --connections must be positive, --warmup not negative")
    return options


def main(argv: list[str]) -> int:
    options = parse_options(argv)
    for tool in ("nginx", "haproxy", "wrk", "taskset"):
        if not shutil.which(tool):
            print(f"bench: {tool} not found (Debian packages: nginx-light haproxy wrk util-linux)",
                  file=sys.stderr)
            return 2
    # SIGTERM unwinds like Ctrl-C, so the finally below stops every process.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    processes = ProcessSet()
    work_dir = Path(tempfile.mkdtemp(prefix="switchyard-bench-"))
    try:
        choose_cpus(options)
        report = run_benchmark(options, processes, work_dir)
    except (BenchError, subprocess.CalledProcessError) as error:
        if isinstance(error, subprocess.CalledProcessError):
            error = f"{' '.join(error.cmd)} failed with status {error.returncode}"
        print(f"bench: {error}", file=sys.stderr)
        options.keep = True  # the logs named in the error stay readable
        return 1
    finally:
        processes.stop_all()
        if options.keep:
            print(f"bench: configs and logs kept in {work_dir}", file=sys.stderr)
        else:
            shutil.rmtree(work_dir, ignore_errors=True)
    print_report(report)
    if options.json:
        Path(options.json).write_text(json.dumps(report, indent=2) + "\n")
        print(f"\nbench: results written to {options.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
