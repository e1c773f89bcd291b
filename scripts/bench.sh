#!/bin/sh
# make bench: build and run every benchmark; each prints its own figures.
set -eu
build=${1:-build/main}
cmake --build "$build" -j "$(nproc)" >/dev/null
for b in bench_perturb bench_score bench_store bench_dispatch; do
  if [ -x "$build/bench/$b" ]; then
    echo "== $b"
    "$build/bench/$b"
  fi
done
echo "== bench_audit"
bash bench/audit/bench_audit.sh "$build/bin"
