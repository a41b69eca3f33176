#!/usr/bin/env bash
# Report API throughput: a cached GET /api/v1/reports/sales against baselines in the same run.
#
# Starts `orchard sandbox`, links its API key, imports its reference rates and syncs 30 days
# (a real data dir, as a user would), starts `orchard serve`, then runs wrk on loopback with a
# Viewer's bearer token, three times each, against:
#   cached    the report query, answered from the server's report cache
#   uncached  the same query with `Cache-Control: no-cache`: a scan of the store every time
#   healthz   GET /healthz (no auth, one database read): the server's floor
# and prints the median requests/s of each and the ratios. Target: cached >= 5,000 req/s.
#
# Usage: bench/report_http_bench.sh [path/to/orchard]   (default: build/release/orchard)
# Env:   DURATION=10 (s per run)  CONNECTIONS=8 (cpp-httplib serves 8 keep-alive connections at
#        once on a small machine: more would only queue)  THREADS=2  RUNS=3  DAYS=30
set -euo pipefail

ORCHARD=$(realpath "${1:-build/release/orchard}")
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-8}
THREADS=${THREADS:-2}
RUNS=${RUNS:-3}
DAYS=${DAYS:-30}
TODAY=2026-06-15

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk (scripts/install-deps.sh)" >&2; exit 2; }
[ -x "$ORCHARD" ] || { echo "no orchard binary at $ORCHARD (cmake --preset release && cmake --build --preset release)" >&2; exit 2; }

tmp=$(mktemp -d -t orchard-report-bench-XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

export ORCHARD_MASTER_KEY_FILE="$tmp/keys/master.key"
data="$tmp/data"
config="$tmp/orchard.toml"
orchard() { "$ORCHARD" "$@" --data-dir "$data" --config "$config"; }

# The first line a process prints (its URL), waited for up to 30 s.
first_url() {
  local file=$1
  for _ in $(seq 300); do
    if grep -qo 'http://127\.0\.0\.1:[0-9]*' "$file" 2>/dev/null; then
      grep -o 'http://127\.0\.0\.1:[0-9]*' "$file" | head -1
      return 0
    fi
    sleep 0.1
  done
  echo "no URL in $file: $(cat "$file")" >&2
  return 1
}

"$ORCHARD" sandbox --port 0 --seed 3 --today "$TODAY" --keys-dir "$tmp/sandbox" >"$tmp/sandbox.out" 2>"$tmp/sandbox.err" &
pids+=($!)
sandbox_url=$(first_url "$tmp/sandbox.out")
printf '[apple]\nasc_api_url = "%s"\n' "$sandbox_url" >"$config"

key() { python3 -c "import json,sys; print(json.load(open('$tmp/sandbox/key.json'))['$1'])"; }
from=$(python3 -c "import datetime as d; print((d.date.fromisoformat('$TODAY') - d.timedelta(days=$DAYS)).isoformat())")
to=$(python3 -c "import datetime as d; print((d.date.fromisoformat('$TODAY') - d.timedelta(days=1)).isoformat())")
echo "Syncing $from .. $to from the sandbox ($ORCHARD)"
orchard link asc-key --issuer-id "$(key issuer_id)" --key-id "$(key key_id)" \
  --key-file "$tmp/sandbox/$(key key_file)" --vendor-number "$(key vendor_number)" --name Bench >/dev/null
orchard fx import "$tmp/sandbox/eurofxref-hist.csv" >/dev/null
orchard sync --from "$from" --to "$to" --quiet >/dev/null
echo "bench-viewer-password" | orchard user add viewer@bench.example --role viewer >/dev/null
token=$(orchard token create --user viewer@bench.example --name bench)

"$ORCHARD" serve --listen 127.0.0.1:0 --data-dir "$data" --config "$config" >"$tmp/serve.out" 2>"$tmp/serve.err" &
pids+=($!)
url=$(first_url "$tmp/serve.out")

query="/api/v1/reports/sales?start_date=$from&end_date=$to&group_by=date,country&granularity=weekly"
rows=$(curl -sf -H "Authorization: Bearer $token" "$url$query" | python3 -c "import json,sys; print(len(json.load(sys.stdin)['rows']))")
queries() {
  curl -sf "$url/metrics" | awk '/^orchard_report_queries_total\{report="sales"\}/ {print $2}' | head -1
}
echo "Query: $query ($rows rows, $(curl -sf -H "Authorization: Bearer $token" "$url$query" | wc -c) bytes)"

# Requests/s of one wrk run; fails on any non-2xx answer or socket error.
rate() {
  local out
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@")
  if grep -q "Non-2xx" <<<"$out"; then echo "wrk saw non-2xx answers: $out" >&2; return 1; fi
  if grep -q "Socket errors" <<<"$out"; then echo "warning: $(grep "Socket errors" <<<"$out")" >&2; fi
  awk '/Requests\/sec/ {print $2}' <<<"$out"
}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

cached=() uncached=() health=()
before=$(queries)
for i in $(seq "$RUNS"); do
  cached+=("$(rate -H "Authorization: Bearer $token" "$url$query")")
done
after=$(queries)
for i in $(seq "$RUNS"); do
  uncached+=("$(rate -H "Authorization: Bearer $token" -H "Cache-Control: no-cache" "$url$query")")
  health+=("$(rate "$url/healthz")")
done

c=$(median "${cached[@]}")
u=$(median "${uncached[@]}")
h=$(median "${health[@]}")
echo "wrk: $THREADS threads, $CONNECTIONS connections, ${DURATION}s per run, $RUNS runs (loopback, $(nproc) cores)"
printf '  cached report     %10.0f req/s   runs: %s   (store scans during these runs: %s)\n' "$c" "${cached[*]}" \
  "$(python3 -c "print(int(float('${after:-0}') - float('${before:-0}')))")"
printf '  uncached report   %10.0f req/s   runs: %s\n' "$u" "${uncached[*]}"
printf '  /healthz          %10.0f req/s   runs: %s\n' "$h" "${health[*]}"
python3 - "$c" "$u" "$h" <<'EOF'
import sys
c, u, h = (float(x) for x in sys.argv[1:])
print("  cached / uncached = %.1fx   cached / healthz = %.2fx" % (c / u, c / h))
print("  target >= 5,000 req/s cached: %s" % ("met" if c >= 5000 else "NOT met"))
EOF
