#!/bin/sh
# The CI smoke of one fuzz target: a fixed number of runs (FUZZ_SMOKE_RUNS,
# default 2000) starting from the checked-in corpus, with a fixed seed so
# that every CI run tries the same inputs. New inputs go to a scratch
# directory, never into the checked-in corpus. A finding exits 1 (libFuzzer's
# default, 77, would read as "skipped" to meson).
#   smoke.sh FUZZER CORPUS_DIR SCRATCH_DIR
set -eu
fuzzer=$1 corpus=$2 scratch=$3
rm -rf "$scratch"
mkdir -p "$scratch"
# libFuzzer's own -timeout and -rss_limit_mb did not end the yaml-cpp hang of
# README.md's finding 4 (the process stayed, past both), so the whole run is
# bounded from outside as well (FUZZ_SMOKE_SECONDS, default 120).
exec timeout -s KILL "${FUZZ_SMOKE_SECONDS:-120}" \
  "$fuzzer" -runs="${FUZZ_SMOKE_RUNS:-2000}" -seed=1 -max_len=4096 -timeout=10 -rss_limit_mb=1024 \
  -error_exitcode=1 -artifact_prefix="$scratch/" "$scratch" "$corpus"
