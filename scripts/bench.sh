#!/bin/sh
# make bench: build and run every benchmark; each prints its own figures.
set -eu
build=${1:-build/main}
cmake --build "$build" -j "$(nproc)" >/dev/null
for b in bench_perturb bench_score bench_store bench_dispatch bench_metrics bench_demog bench_identify; do
  if [ -x "$build/bench/$b" ]; then
    echo "== $b"
    "$build/bench/$b"
  fi
done
echo "== bench_perturb: peak RSS per perturbation, 20k vs 200k sentences"
bash bench/perturb/rss.sh "$build/bench/bench_perturb"
echo "== bench_dispatch: fairshake's dispatcher next to wrk"
sh bench/dispatch/run.sh "$build"
echo "== bench_audit"
bash bench/audit/bench_audit.sh "$build/bin"
