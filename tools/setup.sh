#!/usr/bin/env bash
# One command for a fresh Debian 12 machine: installs the Debian packages
# that are missing, builds, and then either runs the demo or every test.
#
#   tools/setup.sh demo   build, start the test upstream and the proxy with
#                         host/examples/demo.yaml (Ctrl-C stops both)
#   tools/setup.sh test   build and run every test, then the fuzz smoke (each
#                         libFuzzer target of test/fuzz for a fixed number of
#                         runs, in a clang build of its own, FUZZ_BUILD_DIR,
#                         default build-fuzz); ends with "N passed, N failed"
#                         counting both
#
# BUILD_DIR (default: build) and MESON_ARGS (e.g. -Dsanitize=true) adjust it.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BUILD_DIR:-$root/build}
mode=${1:-}

packages=(build-essential meson ninja-build pkg-config libuv1-dev node-llhttp
          libprotobuf-dev protobuf-compiler libyaml-cpp-dev libyaml-dev libc-ares-dev libgtest-dev libgmock-dev
          python3 curl clang libclang-rt-14-dev prometheus)

install_missing_packages() {
  local missing=()
  for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}"
    if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

build() {
  if [ ! -f "$build_dir/build.ninja" ]; then
    meson setup "$build_dir" "$root" ${MESON_ARGS:-}
  fi
  ninja -C "$build_dir"
}

run_demo() {
  python3 "$root/tools/test_upstream.py" --host 127.0.0.1 --port 18080 --name demo-upstream &
  local upstream_pid=$!
  trap 'kill $upstream_pid 2>/dev/null || true' EXIT
  cat <<'TRY'

switchyard demo: proxy on 127.0.0.1:10000, admin on 127.0.0.1:9901, upstream on 127.0.0.1:18080
Try, in another terminal:
  curl -i http://127.0.0.1:10000/echo
  curl -i http://127.0.0.1:10000/fail-first/2?key=try-1
  curl -i http://127.0.0.1:10000/api/status/503
  curl -i http://127.0.0.1:10000/delay/5000
  for i in 1 2 3 4; do curl -s -o /dev/null http://127.0.0.1:10000/status/503; done; curl -i http://127.0.0.1:10000/echo
  curl -i -X POST --data-binary @README.md http://127.0.0.1:10000/echo
  curl -i -H 'x-envoy-fault-abort-request: 503' http://127.0.0.1:10000/echo
  curl -X POST 'http://127.0.0.1:9901/runtime_modify?fault.abort.percent=50'
  curl -s http://127.0.0.1:9901/ready
  curl -s http://127.0.0.1:9901/modules
  curl -s http://127.0.0.1:9901/stats
  curl -s http://127.0.0.1:9901/stats/prometheus
The proxy's access log is this terminal's output.
Ctrl-C drains the proxy and stops the upstream.

TRY
  "$build_dir/host/switchyard" -c "$root/host/examples/demo.yaml"
}

run_tests() {
  local status=0
  local fuzz_log=${FUZZ_BUILD_DIR:-$root/build-fuzz}/meson-logs/testlog.json
  meson test -C "$build_dir" --print-errorlogs --num-processes 2 || status=$?
  # A smoke that could not build leaves no log of its own to count.
  rm -f "$fuzz_log"
  "$root/tools/fuzz.sh" --smoke || status=$?
  python3 - "$build_dir/meson-logs/testlog.json" "$fuzz_log" <<'PY'
import json, os, sys
passed = failed = skipped = 0
for path in sys.argv[1:]:
    if not os.path.exists(path):
        print(f"setup: no test log at {path}: its build failed", file=sys.stderr)
        failed += 1
        continue
    with open(path) as log:
        for line in log:
            result = json.loads(line).get("result")
            if result in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif result == "SKIP":
                skipped += 1
            else:
                failed += 1
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
PY
  return $status
}

case "$mode" in
  demo) install_missing_packages; build; run_demo ;;
  test) install_missing_packages; build; run_tests ;;
  *) echo "usage: tools/setup.sh demo|test" >&2; exit 2 ;;
esac
