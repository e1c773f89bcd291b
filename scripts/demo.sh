#!/bin/sh
# make demo: start the reference model on a free loopback port, run the sample audit
# against it, stop the server, and print where the report is.
set -eu
bin=${1:-build/main/bin}
tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT INT TERM
"$bin/fairshake-refmodel" --port 0 >"$tmp/refmodel.out" 2>"$tmp/refmodel.err" &
pid=$!
url=""
for _ in $(seq 1 100); do
  url=$(sed -n 's/^listening on //p' "$tmp/refmodel.out" | head -n 1)
  [ -n "$url" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$tmp/refmodel.err" >&2; exit 3; }
  sleep 0.1
done
[ -n "$url" ] || { echo "demo: the reference model did not start" >&2; exit 3; }
echo "demo: reference model at $url"
status=0
FAIRSHAKE_REFMODEL_URL="$url" \
  "$bin/fairshake" run examples/sentiment/audit.json --fresh || status=$?
if [ "$status" -ne 0 ] && [ "$status" -ne 1 ]; then
  echo "demo: fairshake run failed (exit $status)" >&2
  exit "$status"
fi
echo "demo: report written to reports/sentiment-audit/report.md (and report.json, report.html)"
# The second sample: sensitive data in clinical notes, found by pii-identifier.
status=0
FAIRSHAKE_REFMODEL_URL="$url" \
  "$bin/fairshake" run examples/medical-notes/audit.json --fresh --quiet || status=$?
if [ "$status" -ne 0 ] && [ "$status" -ne 1 ]; then
  echo "demo: fairshake run failed on the medical notes (exit $status)" >&2
  exit "$status"
fi
echo "demo: report written to reports/medical-notes-audit/report.md (and report.json, report.html)"
