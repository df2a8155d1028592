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
exec "$fuzzer" -runs="${FUZZ_SMOKE_RUNS:-2000}" -seed=1 -max_len=4096 -timeout=10 -error_exitcode=1 \
  -artifact_prefix="$scratch/" "$scratch" "$corpus"
