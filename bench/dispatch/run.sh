#!/bin/sh
# Dispatcher benchmark: fairshake's dispatcher next to wrk against the same constant-answer
# loopback server (bench_const_server), same endpoint and body, at concurrency 1, 8 and
# 32; then a long run to show that memory stays flat. Usage:
#   bench/dispatch/run.sh BUILD_DIR [N_PER_POINT] [N_LONG]
set -eu
build=${1:-build/main}
n=${2:-100000}
n_long=${3:-1000000}
secs=${WRK_SECONDS:-5}
if ! command -v wrk >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get install -y -qq wrk >/dev/null 2>&1 || echo "bench_dispatch: wrk is not available"
fi
tmp=$(mktemp -d)
trap 'kill "$srv" 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
"$build/bench/bench_const_server" >"$tmp/port" &
srv=$!
sleep 0.3
base=$(sed -n 's/^listening on //p' "$tmp/port")
url="$base/v1/chat/completions"
body='{"model":"nb-sentiment","messages":[{"role":"user","content":"Is this review positive or negative? Text: a warm, funny and beautifully acted film.\nAnswer:"}]}'
cat >"$tmp/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[$body]]
LUA
printf '%-12s %12s %14s %10s %16s\n' concurrency "wrk req/s" "fairshake r/s" "ratio" "fs CPU us/req"
for c in 1 8 32; do
  w=0
  if command -v wrk >/dev/null 2>&1; then
    w=$(wrk -t1 -c"$c" -d"${secs}s" -s "$tmp/post.lua" "$url" | awk '/Requests\/sec/ {print $2}')
  fi
  line=$("$build/bench/bench_dispatch" --n "$n" --concurrency "$c" --url "$url")
  f=$(echo "$line" | sed -n 's/.* \([0-9]*\) req\/s.*/\1/p')
  cpu=$(echo "$line" | sed -n 's/.*client CPU \([0-9.]*\) us\/req.*/\1/p')
  ratio=$(awk -v f="$f" -v w="$w" 'BEGIN { if (w > 0) printf "%.0f%%", 100 * f / w; else print "n/a" }')
  printf '%-12s %12.0f %14s %10s %16s\n' "$c" "$w" "$f" "$ratio" "$cpu"
done
echo "memory over $n_long requests (concurrency 32):"
"$build/bench/bench_dispatch" --n "$n_long" --concurrency 32 --url "$url"
