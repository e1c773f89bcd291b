#!/usr/bin/env bash
# Peak RSS of each perturbation run alone over 20,000 and 200,000 generated sentences:
# memory must stay flat as the input grows (sentences are generated and dropped in
# chunks). usage: rss.sh BENCH_PERTURB_BINARY
set -euo pipefail
bin=${1:?usage: rss.sh BENCH_PERTURB_BINARY}
names=$("$bin" --sentences 1 | awk 'NR > 2 && $1 != "peak" {print $1}')
printf '%-15s %14s %12s %12s\n' perturbation "variants/s@200k" "RSS@20k" "RSS@200k"
for p in $names; do
  small=$("$bin" --only "$p" --sentences 20000 | awk '/^peak RSS/ {print $3}')
  large_out=$("$bin" --only "$p" --sentences 200000)
  large=$(echo "$large_out" | awk '/^peak RSS/ {print $3}')
  rate=$(echo "$large_out" | awk -v p="$p" '$1 == p {print $2}')
  printf '%-15s %14s %9s KiB %9s KiB\n' "$p" "$rate" "$small" "$large"
done
