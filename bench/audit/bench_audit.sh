#!/usr/bin/env bash
# End-to-end throughput: fairshake against the reference model on a larger copy of the
# sample dataset. Prints requests per second and the CPU time fairshake spends per
# request, next to the server's, for an instant model and for a model with a fixed
# latency (where the ideal throughput is concurrency / latency).
# usage: bench_audit.sh BIN_DIR [COPIES]
set -euo pipefail
bin=${1:?usage: bench_audit.sh BIN_DIR [COPIES]}
copies=${2:-20}
src=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT

for ((i = 0; i < copies; i++)); do
  # Each copy gets its own ids and a distinct prefix, so no request is a cache hit.
  sed -e "s/\"id\": \"test-/\"id\": \"c$i-test-/" -e "s/\"text\": \"/\"text\": \"Review $i: /" \
    "$src/examples/sentiment/test.jsonl"
done >"$tmp/data.jsonl"
records=$(wc -l <"$tmp/data.jsonl")

cpu_ms() { # utime+stime of a pid in ms
  awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) * 1000 / hz}' "/proc/$1/stat"
}

scenario() { # name delay_ms concurrency
  local name=$1 delay=$2 conc=$3
  "$bin/fairshake-refmodel" --port 0 --quiet --delay-ms "$delay" >"$tmp/srv.out" &
  local pid=$!
  local url=""
  for _ in $(seq 1 100); do
    url=$(sed -n 's/^listening on //p' "$tmp/srv.out")
    [ -n "$url" ] && break
    sleep 0.05
  done
  cat >"$tmp/cfg.json" <<JSON
{"name": "bench", "seed": 1,
 "dataset": {"path": "$tmp/data.jsonl", "fields": {"id": "id"}},
 "task": {"type": "classification", "labels": ["positive", "negative"],
          "prompt": "Is the sentiment of this review positive or negative?\nText: {{input}}\nAnswer:"},
 "targets": [{"name": "nb", "type": "openai-chat", "url": "$url/v1/chat/completions", "model": "nb-sentiment"}],
 "perturbations": [{"name": "typo"}, {"name": "case"}, {"name": "whitespace"}, {"name": "punctuation"}],
 "run": {"concurrency": $conc},
 "report": {"dir": "$tmp/out"}}
JSON
  local t0 t1 req srv
  t0=$(date +%s.%N)
  ( TIMEFORMAT='%U %S'; time "$bin/fairshake" run "$tmp/cfg.json" --fresh --quiet >/dev/null ) 2>"$tmp/time"
  t1=$(date +%s.%N)
  srv=$(cpu_ms "$pid")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  req=$((records * 5))
  awk -v n="$name" -v req="$req" -v t0="$t0" -v t1="$t1" -v srv="$srv" -v d="$delay" -v c="$conc" \
    '{ wall = t1 - t0; cli = ($1 + $2) * 1000;
       ideal = (d > 0) ? sprintf("%.0f", c * 1000 / d) : "-";
       printf "%-22s %7d requests  %6.2f s  %8.0f req/s (ideal %s)  fairshake %.3f ms CPU/request  server %.3f ms CPU/request\n",
              n, req, wall, req / wall, ideal, cli / req, srv / req }' "$tmp/time"
}

echo "bench_audit: $records records x 5 conditions (clean + 4 perturbations)"
scenario "instant model, c=8" 0 8
scenario "20 ms model, c=64" 20 64
