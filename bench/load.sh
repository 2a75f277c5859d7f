#!/usr/bin/env bash
# Ingestion load benchmark: `tropa serve` (release) on a fresh data folder, loaded by `tropa-bench load` with
# /v1/batch requests of 100 events. Prints the load generator's JSON (events/s, p50/p99 by status) and the
# server's resident memory, sampled every 2 s (peak and last).
#   bash bench/load.sh [SECONDS] [CONNECTIONS] [extra serve flags…]
# e.g. an overload for 10 minutes with a small queue:  bash bench/load.sh 600 64 --max-inflight-requests 16
# TROPA_LOAD_BIN=DIR runs the tropa and tropa-bench binaries in DIR without building (e.g. a baseline copy).
# Besides RSS it samples the parts on disk: "parts" (part files), "part_ids" (every part id seen: one per flush
# and per compaction output) and the sidecar bytes per stored event at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_RUN=${1:-20}
CONNECTIONS=${2:-8}
shift $(( $# > 2 ? 2 : $# ))
if [ -n "${TROPA_LOAD_BIN:-}" ]; then
  BIN=$TROPA_LOAD_BIN
else
  cargo build --release -q -p tropa -p tropa-bench
  BIN=${CARGO_TARGET_DIR:-target}/release
fi
DATA=$(mktemp -d /tmp/tropa-load.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
T=$BIN/tropa
$T --data "$DATA" project create load >/dev/null
KEY=$($T --data "$DATA" key create --project load --kind write --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')
TROPA_LOG=warn $T --data "$DATA" serve --listen "127.0.0.1:$PORT" "$@" >/dev/null &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 100); do curl -sf "127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
PEAK=0
PARTS="$DATA/projects/load/parts"
( while kill -0 $SERVER 2>/dev/null; do
    RSS=$(awk '/VmRSS/ {print $2}' /proc/$SERVER/status 2>/dev/null || echo 0)
    echo "$RSS"; ls "$PARTS" 2>/dev/null | grep '\.trp$' >> "$DATA.ids" || true
    ls "$PARTS" 2>/dev/null | grep -c '\.trp$' >> "$DATA.parts" || true
    sleep 2
  done ) > "$DATA.rss" &
SAMPLER=$!
$BIN/tropa-bench load --addr "127.0.0.1:$PORT" --key "$KEY" --connections "$CONNECTIONS" --seconds "$SECONDS_RUN" --run "r$$"
kill $SAMPLER 2>/dev/null || true
PEAK=$(sort -n "$DATA.rss" | tail -1)
LAST=$(tail -1 "$DATA.rss")
echo "{\"server_rss_peak_mib\": $((PEAK / 1024)), \"server_rss_last_mib\": $((LAST / 1024)), \"rss_samples_mib\": [$(awk '{printf "%s%d", (NR>1?",":""), $1/1024}' "$DATA.rss")]}"
PART_IDS=$( (sort -u "$DATA.ids" 2>/dev/null || true) | wc -l)
TRP=$( (cat "$PARTS"/*.trp 2>/dev/null || true) | wc -c)
IDS=$( (cat "$PARTS"/*.ids 2>/dev/null || true) | wc -c)
echo "{\"part_ids_seen\": $PART_IDS, \"parts_samples\": [$(paste -sd, "$DATA.parts" 2>/dev/null)], \"parts_bytes_now\": $TRP, \"sidecar_bytes_now\": $IDS}"
# /metrics answers this machine's clients; with TROPA_METRICS_TOKEN set for the server, its bearer only
AUTH=()
[ -n "${TROPA_METRICS_TOKEN:-}" ] && AUTH=(-H "Authorization: Bearer $TROPA_METRICS_TOKEN")
curl -s ${AUTH[@]+"${AUTH[@]}"} "127.0.0.1:$PORT/metrics" | grep -E '^tropa_(events_accepted_total|overload_rejections_total|wal_commit_seconds_(sum|count))'
rm -f "$DATA.rss" "$DATA.ids" "$DATA.parts"
