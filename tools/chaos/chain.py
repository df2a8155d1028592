"""The chaos chain: six services in a row on 127.0.0.1, each behind a
switchyard sidecar, as in a service mesh.

    client -> egress0 -> ingress1 -> svc1 -> egress1 -> ingress2 -> svc2 -> ... -> ingress6 -> svc6

Sidecar i (a switchyard process) has an ingress listener in front of its
service's two replicas, where modules/fault injects the hop's failures, and
an egress listener the service calls the next hop through, where the
caller-side resilience filters (timeout, retry, breaker) sit. Sidecar 0 is
the client's and has only an egress; sidecar 6's service is the leaf and
has only an ingress. Which filters each listener runs is a Setup."""
from __future__ import annotations

import dataclasses
import json
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SERVICE_SCRIPT = Path(__file__).resolve().parent / "chain_service.py"
HOPS = 6
REPLICAS = 2
DEADLINE_HEADER = "x-request-timeout-ms"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http_get(port: int, path: str, timeout: float = 5.0) -> bytes:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as response:
        return response.read()


@dataclasses.dataclass
class Setup:
    """What the sidecars run. Filters are YAML list items (indented for a
    listener's `filters:`), built per hop by the functions below."""
    name: str
    caller_resilience: bool = False   # timeout + retry on every egress
    caller_breaker: bool = False      # a breaker on every egress
    replica_hedging: bool = False     # timeout + hedging retry on every ingress


def fault_filter(hop: int) -> str:
    # 0.1% aborts (10 in 10,000) and 1% one-second delays at every hop.
    return f"""      - name: fault
        config:
          seed: {1000 + hop}
          abort: {{ http_status: 503, percentage: {{ numerator: 10, denominator: TEN_THOUSAND }} }}
          delay: {{ fixed_delay: 1s, percentage: {{ numerator: 1, denominator: HUNDRED }} }}
"""


def per_try_timeout_ms(egress: int) -> int:
    """Per-try timeouts grow toward the client: a retry deep in the chain
    must fit inside one try of every caller above it, or a single delay
    would time out (and retry) at every hop at once."""
    return 150 * (HOPS - egress)


def egress_filters(egress: int, setup: Setup) -> str:
    filters = ""
    if setup.caller_resilience:
        filters += f"""      - name: timeout
        config:
          request_timeout_ms: 3000
          trusted_timeout_header: {DEADLINE_HEADER}
          propagate_timeout_header: {DEADLINE_HEADER}
      - name: retry
        config:
          retry_on: [5xx, reset, connect-failure]
          num_retries: 3
          per_try_timeout_ms: {per_try_timeout_ms(egress)}
          backoff: {{ base_interval_ms: 10 }}
"""
    if setup.caller_breaker:
        filters += f"""      - name: breaker
        config:
          clusters:
            - cluster: hop{egress + 1}
              consecutive_failures: 5
              failure_on: [5xx, reset, connect_failure, timeout]
              open_interval: 1s
"""
    return filters


def ingress_filters(hop: int, setup: Setup) -> str:
    filters = fault_filter(hop)
    if setup.replica_hedging:
        filters += """      - name: timeout
        config:
          trusted_timeout_header: x-request-timeout-ms
      - name: retry
        config:
          retry_on: [5xx, reset, connect-failure]
          num_retries: 2
          per_try_timeout_ms: 100
          hedge: { on_per_try_timeout: true }
"""
    return filters


def listener(name: str, port: int, filters: str, cluster: str) -> str:
    filter_block = f"    filters:\n{filters}" if filters else ""
    return f"""  - name: {name}
    address: 127.0.0.1
    port: {port}
{filter_block}    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
          - name: all
            match: {{ prefix: / }}
            route: {{ cluster: {cluster} }}
"""


def cluster(name: str, ports: list[int]) -> str:
    endpoints = "".join(f"      - {{ address: 127.0.0.1, port: {port} }}\n" for port in ports)
    return f"  - name: {name}\n    connect_timeout: 1s\n    endpoints:\n{endpoints}"


class Chain:
    """Every process of one run; stop() ends them all."""

    def __init__(self, switchyard: Path, work_dir: Path, setup: Setup):
        self.switchyard = switchyard
        self.work_dir = work_dir
        self.setup = setup
        self.processes: list[subprocess.Popen] = []
        self.ingress_ports = {hop: free_port() for hop in range(1, HOPS + 1)}
        self.egress_ports = {hop: free_port() for hop in range(0, HOPS)}
        self.admin_ports = {hop: free_port() for hop in range(0, HOPS + 1)}
        self.service_ports: dict[int, list[int]] = {}
        self.services: dict[int, list[subprocess.Popen]] = {}

    @property
    def entry_port(self) -> int:
        return self.egress_ports[0]

    def start(self) -> None:
        for hop in range(1, HOPS + 1):
            next_port = self.egress_ports.get(hop)
            self.services[hop] = []
            self.service_ports[hop] = []
            for replica in range(REPLICAS):
                process, port = self.start_service(f"svc{hop}{'ab'[replica]}", next_port)
                self.services[hop].append(process)
                self.service_ports[hop].append(port)
        for hop in range(0, HOPS + 1):
            self.start_sidecar(hop)

    def start_service(self, name: str, next_port: int | None) -> tuple[subprocess.Popen, int]:
        ready = self.work_dir / f"{name}.port"
        command = [sys.executable, str(SERVICE_SCRIPT), "--port", "0", "--name", name, "--ready-file", str(ready)]
        if next_port:
            command += ["--next-port", str(next_port)]
        log = open(self.work_dir / f"{name}.log", "ab")
        process = subprocess.Popen(command, stdout=log, stderr=log)
        self.processes.append(process)
        deadline = time.monotonic() + 10
        while not ready.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"service {name} did not start (see {self.work_dir / (name + '.log')})")
            time.sleep(0.02)
        return process, int(ready.read_text())

    def sidecar_config(self, hop: int) -> str:
        listeners, clusters = "", ""
        if hop > 0:
            listeners += listener("ingress", self.ingress_ports[hop], ingress_filters(hop, self.setup), f"svc{hop}")
            clusters += cluster(f"svc{hop}", self.service_ports[hop])
        if hop < HOPS:
            listeners += listener("egress", self.egress_ports[hop], egress_filters(hop, self.setup), f"hop{hop + 1}")
            clusters += cluster(f"hop{hop + 1}", [self.ingress_ports[hop + 1]])
        return (f"admin:\n  address: 127.0.0.1\n  port: {self.admin_ports[hop]}\n"
                f"listeners:\n{listeners}clusters:\n{clusters}")

    def start_sidecar(self, hop: int) -> None:
        config = self.work_dir / f"sidecar{hop}.yaml"
        config.write_text(self.sidecar_config(hop))
        log = open(self.work_dir / f"sidecar{hop}.log", "ab")
        process = subprocess.Popen([str(self.switchyard), "-c", str(config), "--concurrency", "1", "-l", "warn"],
                                   stdout=log, stderr=log)
        self.processes.append(process)
        ports = [self.admin_ports[hop]] + [port for port in (self.ingress_ports.get(hop), self.egress_ports.get(hop))
                                           if port]
        deadline = time.monotonic() + 10
        for port in ports:
            while True:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"sidecar {hop} did not start: {(self.work_dir / f'sidecar{hop}.log').read_text()}")
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    time.sleep(0.02)

    # -- what a scenario does to the chain -----------------------------------

    def kill_hop(self, hop: int) -> None:
        """Both replicas of the hop's service die: its ingress cannot connect."""
        for process in self.services[hop]:
            process.kill()
            process.wait()

    def slow_replica(self, hop: int, delay_ms: int) -> None:
        http_get(self.service_ports[hop][0], f"/__slow/{delay_ms}")

    def ingress_requests(self, hop: int) -> int:
        """Requests the hop's sidecar took, as its admin /stats counts them
        (only its ingress takes any once its service is dead)."""
        for line in http_get(self.admin_ports[hop], "/stats").decode().splitlines():
            name, _, value = line.partition(":")
            if name.strip() == "downstream_rq_total":
                return int(value)
        raise RuntimeError(f"sidecar {hop}: no downstream_rq_total in /stats")

    def breaker_open(self, egress: int) -> bool:
        clusters = json.loads(http_get(self.admin_ports[egress], "/clusters?format=json"))["clusters"]
        return any(entry.get("breaker.state") == "open" for entry in clusters)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 5
        for process in self.processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
