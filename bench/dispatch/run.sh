#!/bin/sh
# Dispatch benchmark: how many requests per second fairshake sends next to wrk, on the same
# endpoint, body and server, at concurrency 1, 8 and 32; client and server share the
# machine. Two servers, each giving a constant answer:
#   refmodel  fairshake-refmodel --constant positive (the reference server, libmicrohttpd)
#   minimal   bench_const_server (one thread, epoll: a server that costs almost nothing)
# For fairshake, two figures:
#   run       `fairshake run` end to end: every request built from a dataset record, sent,
#             its answer parsed, scored and stored in the run store; req/s is the report's
#             provenance.requests_per_second (first request to last answer); CPU is the
#             whole process (reading, sending, storing and the report) per request
#   dispatch  bench_dispatch: the dispatcher alone, every answer parsed, nothing stored
# Then one long dispatcher run to show that memory stays flat. Usage:
#   bench/dispatch/run.sh BUILD_DIR [N_PER_POINT] [N_LONG]
set -eu
build=${1:-build/main}
n=${2:-50000}
n_long=${3:-1000000}
secs=${WRK_SECONDS:-5}
bin=$build/bin
if ! command -v wrk >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get install -y -qq wrk >/dev/null 2>&1 || echo "bench_dispatch: wrk is not available"
fi
tmp=$(mktemp -d)
srv=""
trap '[ -n "$srv" ] && kill "$srv" 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM

# n records with distinct texts (no request is a cache hit), one request each (clean only).
awk -v n="$n" 'BEGIN {
  for (i = 0; i < n; i++)
    printf "{\"id\": \"r%d\", \"text\": \"Review %d: a warm, funny and beautifully acted film.\", \"label\": \"%s\"}\n",
           i, i, (i % 3 ? "positive" : "negative")
}' >"$tmp/data.jsonl"
prompt='Is this review positive or negative? Text: {{input}}\nAnswer:'
body='{"model":"nb-sentiment","messages":[{"role":"user","content":"Is this review positive or negative? Text: Review 1: a warm, funny and beautifully acted film.\nAnswer:"}]}'
cat >"$tmp/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[$body]]
LUA

start_server() { # command...
  "$@" >"$tmp/port" &
  srv=$!
  base=""
  for _ in $(seq 1 200); do
    base=$(sed -n 's/^listening on //p' "$tmp/port")
    [ -n "$base" ] && break
    sleep 0.05
  done
  url="$base/v1/chat/completions"
}

stop_server() {
  kill "$srv" 2>/dev/null || true
  wait "$srv" 2>/dev/null || true
  srv=""
}

fairshake_run() { # concurrency -> "req/s cpu_us_per_req sent"
  cat >"$tmp/cfg.json" <<JSON
{"name": "bench-dispatch", "seed": 1,
 "dataset": {"path": "$tmp/data.jsonl", "fields": {"id": "id"}},
 "task": {"type": "classification", "labels": ["positive", "negative"], "prompt": "$prompt"},
 "targets": [{"name": "t", "type": "openai-chat", "url": "$url", "model": "nb-sentiment"}],
 "run": {"concurrency": $1},
 "report": {"dir": "$tmp/out", "formats": ["json"]}}
JSON
  rm -rf "$tmp/out"
  python3 - "$bin/fairshake" "$tmp/cfg.json" "$tmp/out/report.json" <<'PY'
import json, resource, subprocess, sys
subprocess.run([sys.argv[1], "run", sys.argv[2], "--fresh", "--quiet"], check=True,
               stdout=subprocess.DEVNULL)
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
p = json.load(open(sys.argv[3]))["provenance"]
sent = p["requests_sent"]
print("%.0f %.1f %d" % (p["requests_per_second"], (ru.ru_utime + ru.ru_stime) * 1e6 / sent, sent))
PY
}

table() { # server label
  printf '%s\n' "$1"
  printf '  %-5s %10s %14s %7s %14s %14s %7s %14s\n' conc "wrk req/s" "run req/s" ratio \
    "run CPU us/req" "dispatch r/s" ratio "disp CPU us/req"
  for c in 1 8 32; do
    w=0
    if command -v wrk >/dev/null 2>&1; then
      w=$(wrk -t1 -c"$c" -d"${secs}s" -s "$tmp/post.lua" "$url" | awk '/Requests\/sec/ {print $2}')
    fi
    set -- $(fairshake_run "$c")
    rr=$1; rcpu=$2
    line=$("$build/bench/bench_dispatch" --n "$n" --concurrency "$c" --url "$url")
    dr=$(echo "$line" | sed -n 's/.* \([0-9]*\) req\/s.*/\1/p')
    dcpu=$(echo "$line" | sed -n 's/.*client CPU \([0-9.]*\) us\/req.*/\1/p')
    awk -v c="$c" -v w="$w" -v rr="$rr" -v rc="$rcpu" -v dr="$dr" -v dc="$dcpu" 'BEGIN {
      pr = (w > 0) ? sprintf("%.0f%%", 100 * rr / w) : "n/a"
      pd = (w > 0) ? sprintf("%.0f%%", 100 * dr / w) : "n/a"
      printf "  %-5s %10.0f %14.0f %7s %14.1f %14.0f %7s %14.1f\n", c, w, rr, pr, rc, dr, pd, dc }'
  done
}

start_server "$bin/fairshake-refmodel" --port 0 --quiet --constant positive
table "refmodel (fairshake-refmodel --constant positive), $n requests per point"
stop_server
start_server "$build/bench/bench_const_server"
table "minimal (bench_const_server), $n requests per point"
echo "memory over $n_long requests (dispatcher, concurrency 32, minimal server):"
"$build/bench/bench_dispatch" --n "$n_long" --concurrency 32 --url "$url"
stop_server
