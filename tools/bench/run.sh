#!/usr/bin/env bash
# Benchmark switchyard against nginx and haproxy as reverse proxies.
#   tools/bench/run.sh [--duration S] [--connections C] [--switchyard PATH]
#                      [--skip-switchyard] [--json FILE] [--help for the rest]
# The work (processes, pinning, wrk, parsing) lives in bench.py.
set -euo pipefail
exec python3 "$(dirname "$0")/bench.py" "$@"
