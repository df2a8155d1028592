#!/usr/bin/env python3
"""tools/chaos: what switchyard's resilience filters buy along a chain of
six services (see chain.py for the topology). Every hop's ingress injects a
0.1% abort (503) and a 1% one-second delay through modules/fault; then, for
a fixed number of requests through the whole chain:

  1  baseline           no resilience filters
  2  timeout+retry      timeout + retry (per-try timeouts, retry budget) on every egress
  3a hop 3 down         hop 3's service killed; timeout + retry, no breaker
  3b hop 3 down+breaker the same with a breaker on every egress
  4a hop 3 slow         one replica of hop 3 answers 2 s late; no filters
  4b hop 3 slow+hedge   the same with timeout + retry everywhere and hedging at the ingress

It prints a progress line while it runs, then a table, and writes the
figures as JSON and a chart (SVG) of success rate and p99 per scenario.

    tools/chaos/chaos.py [--requests 2000] [--clients 16] [--switchyard PATH]
                         [--out DIR] [--only 1,2,3a,...]

Only 127.0.0.1; every port is picked free; every process is stopped at the end."""
from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from chain import REPO_ROOT, Chain, Setup  # noqa: E402
from chart import write_chart  # noqa: E402
from load import RunResult, run_load  # noqa: E402

TROUBLED_HOP = 3


@dataclasses.dataclass
class Scenario:
    key: str
    label: str
    setup: Setup
    trouble: str = ""  # "", "down" or "slow"


SCENARIOS = [
    Scenario("1", "1 baseline", Setup("baseline")),
    Scenario("2", "2 timeout+retry", Setup("retries", caller_resilience=True)),
    Scenario("3a", "3a hop 3 down", Setup("down", caller_resilience=True), "down"),
    Scenario("3b", "3b hop 3 down + breaker", Setup("down+breaker", caller_resilience=True, caller_breaker=True),
             "down"),
    Scenario("4a", "4a hop 3 slow", Setup("slow"), "slow"),
    Scenario("4b", "4b hop 3 slow + hedging", Setup("slow+hedge", caller_resilience=True, replica_hedging=True),
             "slow"),
]


class TripWatcher:
    """Polls the troubled hop's caller (egress TROUBLED_HOP - 1) until its
    breaker opens; remembers when, and how many requests the dead hop had
    taken by then."""

    def __init__(self, chain: Chain):
        self.chain = chain
        self.began = time.monotonic()
        self.tripped_after_s: float | None = None
        self.dead_hop_requests_at_trip = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.watch, daemon=True)
        self.thread.start()

    def watch(self) -> None:
        while not self.stopping.is_set():
            if self.chain.breaker_open(TROUBLED_HOP - 1):
                self.dead_hop_requests_at_trip = self.chain.ingress_requests(TROUBLED_HOP)
                self.tripped_after_s = time.monotonic() - self.began
                return
            self.stopping.wait(0.01)

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join()


def run_scenario(scenario: Scenario, switchyard: Path, work_dir: Path, requests: int, clients: int) -> dict:
    run_dir = work_dir / scenario.key
    run_dir.mkdir()
    chain = Chain(switchyard, run_dir, scenario.setup)
    try:
        chain.start()
        watcher = None
        if scenario.trouble == "down":
            chain.kill_hop(TROUBLED_HOP)
            if scenario.setup.caller_breaker:
                watcher = TripWatcher(chain)
        elif scenario.trouble == "slow":
            chain.slow_replica(TROUBLED_HOP, 2000)
        dead_hop_before = chain.ingress_requests(TROUBLED_HOP) if scenario.trouble == "down" else 0
        result: RunResult = asyncio.run(run_load(chain.entry_port, requests, clients, scenario.label))
        report = {
            "label": scenario.label,
            "requests": len(result.outcomes),
            "success_percent": 100 * result.success_rate,
            "p50_ms": result.latency_percentile(50),
            "p99_ms": result.latency_percentile(99),
        }
        if scenario.trouble == "down":
            if watcher:
                watcher.stop()
            dead_hop_total = chain.ingress_requests(TROUBLED_HOP) - dead_hop_before
            report["dead_hop_requests"] = dead_hop_total
            report["failure_p50_ms"] = result.latency_percentile(50, only_failures=True)
            if watcher and watcher.tripped_after_s is not None:
                report["tripped_after_ms"] = 1000 * watcher.tripped_after_s
                report["dead_hop_requests_after_trip"] = (chain.ingress_requests(TROUBLED_HOP)
                                                          - watcher.dead_hop_requests_at_trip)
                after = [o for o in result.outcomes if o.started >= watcher.tripped_after_s]
                report["client_requests_after_trip"] = len(after)
                fast = sorted(o.latency_ms for o in after)
                report["failure_p50_after_trip_ms"] = fast[len(fast) // 2] if fast else 0.0
        return report
    finally:
        chain.stop()


def print_table(reports: list[dict]) -> None:
    print(f"{'scenario':<28} {'requests':>8} {'success':>9} {'p50 ms':>8} {'p99 ms':>8}  notes")
    for report in reports:
        notes = []
        if "dead_hop_requests" in report:
            notes.append(f"dead hop took {report['dead_hop_requests']} requests "
                         f"({report['dead_hop_requests'] / max(1, report['requests']):.2f} per client request)")
        if "tripped_after_ms" in report:
            notes.append(f"breaker open after {report['tripped_after_ms']:.0f} ms; then "
                         f"{report['dead_hop_requests_after_trip']} requests reached the dead hop "
                         f"for {report['client_requests_after_trip']} client requests, "
                         f"answered in p50 {report['failure_p50_after_trip_ms']:.1f} ms")
        elif "failure_p50_ms" in report:
            notes.append(f"failures answered in p50 {report['failure_p50_ms']:.1f} ms")
        print(f"{report['label']:<28} {report['requests']:>8} {report['success_percent']:>8.3f}% "
              f"{report['p50_ms']:>8.1f} {report['p99_ms']:>8.1f}  {'; '.join(notes)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000, help="requests per scenario (default 2000)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent client connections (default 16)")
    parser.add_argument("--switchyard", type=Path, default=REPO_ROOT / "build" / "host" / "switchyard")
    parser.add_argument("--out", type=Path, default=Path("chaos-report"),
                        help="where chaos.json and chaos.svg go (default ./chaos-report)")
    parser.add_argument("--only", default="", help="comma-separated scenario keys, e.g. 1,2,3b")
    options = parser.parse_args()
    if not options.switchyard.exists():
        print(f"chaos: no switchyard binary at {options.switchyard}; build first (meson setup build && "
              f"ninja -C build) or pass --switchyard", file=sys.stderr)
        return 2
    wanted = {key.strip() for key in options.only.split(",") if key.strip()}
    chosen = [scenario for scenario in SCENARIOS if not wanted or scenario.key in wanted]
    options.out.mkdir(parents=True, exist_ok=True)
    reports = []
    with tempfile.TemporaryDirectory(prefix="switchyard-chaos-") as work:
        for index, scenario in enumerate(chosen, 1):
            print(f"[{index}/{len(chosen)}] {scenario.label}", file=sys.stderr)
            reports.append(run_scenario(scenario, options.switchyard, Path(work), options.requests,
                                        options.clients))
    print_table(reports)
    (options.out / "chaos.json").write_text(json.dumps(reports, indent=2) + "\n")
    write_chart(str(options.out / "chaos.svg"), reports)
    print(f"\nwrote {options.out / 'chaos.json'} and {options.out / 'chaos.svg'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
