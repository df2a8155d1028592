#!/usr/bin/env bash
# The libFuzzer targets of test/fuzz (README.md there says what each one
# checks). Configures and builds the fuzz build directory when needed
# (clang, -Dfuzz=true), then:
#
#   tools/fuzz.sh TARGET SECONDS [LIBFUZZER_ARGS...]
#       fuzzes TARGET (e.g. request_decoder) for SECONDS, starting from its
#       checked-in corpus; new inputs and crash artifacts go to
#       FUZZ_BUILD_DIR/fuzz-runs/TARGET, never into the checked-in corpus
#   tools/fuzz.sh --smoke
#       every target for a fixed number of runs (the CI smoke: the fuzz
#       build's meson tests, whose testlog tools/setup.sh counts)
#   tools/fuzz.sh --list
#       the target names
#
# FUZZ_BUILD_DIR defaults to build-fuzz beside the source.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
fuzz_build_dir=${FUZZ_BUILD_DIR:-$root/build-fuzz}
targets=(request_decoder response_decoder config_loader route_table module_config)

usage() {
  echo "usage: tools/fuzz.sh TARGET SECONDS [LIBFUZZER_ARGS...] | --smoke | --list" >&2
  echo "targets: ${targets[*]}" >&2
  exit 2
}

build() {
  if [ ! -f "$fuzz_build_dir/build.ninja" ]; then
    CC=clang CXX=clang++ meson setup "$fuzz_build_dir" "$root" -Dfuzz=true
  fi
  ninja -C "$fuzz_build_dir"
}

case "${1:-}" in
  --list)
    printf '%s\n' "${targets[@]}"
    ;;
  --smoke)
    build
    meson test -C "$fuzz_build_dir" --suite fuzz_smoke --print-errorlogs --num-processes 2
    ;;
  ""|-*)
    usage
    ;;
  *)
    target=$1
    seconds=${2:-}
    [[ " ${targets[*]} " == *" $target "* ]] || usage
    [[ "$seconds" =~ ^[0-9]+$ ]] || usage
    shift 2
    build
    scratch=$fuzz_build_dir/fuzz-runs/$target
    mkdir -p "$scratch"
    # The scratch directory comes first: libFuzzer writes new inputs to the
    # first corpus directory it is given.
    exec "$fuzz_build_dir/test/fuzz/${target}_fuzz" -max_total_time="$seconds" -print_final_stats=1 \
      -max_len=4096 -timeout=10 -artifact_prefix="$scratch/" "$@" "$scratch" "$root/test/fuzz/corpus/$target"
    ;;
esac
