#!/usr/bin/env bash
# Soak: replays bench-files/bench-200k.pcap through a veth pair between two namespaces of our own
# (cwt-sa -> cwt-sb, no addresses, no route anywhere) at rising rates, with comms-watch capturing on
# the receiving end. Per rate: packets seen, libpcap drops (from the summary record), RSS each second.
# Needs root, tcpreplay and the optional pcap module. Usage: npm run soak [-- RATE...]
# THREADS=N runs comms-watch with --threads N (default: its own default); the shard_drop column
# counts packets a shard could not take in time (drops.shards), beside libpcap's own counters.
# LOOPS=N replays the file N times per rate with --unique-ip (new addresses, so new flows, each loop):
# a longer run that shows whether RSS levels off at the flow and reassembly caps.
set -euo pipefail
cd "$(dirname "$0")/.."
PCAP=bench-files/bench-200k.pcap
[ -f "$PCAP" ] || { mkdir -p "$(dirname "$PCAP")"; python3 ../shared/bench/make-bench-pcap.py "$PCAP" --packets 200000; }
if [ $# -gt 0 ]; then RATES=("$@"); else RATES=(20000 50000 100000 200000); fi
A=cwt-sa B=cwt-sb IFA=cwts0 IFB=cwts1
OUT=$(mktemp -d /tmp/cwt-soak.XXXXXX)
WATCH_PID=""
cleanup() {
  if [ -n "$WATCH_PID" ] && kill -0 "$WATCH_PID" 2>/dev/null; then kill -KILL "$WATCH_PID"; fi
  ip netns del "$A" 2>/dev/null || true
  ip netns del "$B" 2>/dev/null || true
}
trap cleanup EXIT
cleanup
ip netns add "$A"; ip netns add "$B"
ip link add "$IFA" netns "$A" type veth peer name "$IFB" netns "$B"
ip -n "$A" link set "$IFA" up; ip -n "$B" link set "$IFB" up
# Room for a 9000-byte frame if the capture has one.
ip -n "$A" link set "$IFA" mtu 9000; ip -n "$B" link set "$IFB" mtu 9000

LOOPS=${LOOPS:-1}
LOOP_ARGS=""
[ "$LOOPS" -gt 1 ] && LOOP_ARGS="--loop=$LOOPS --unique-ip"
total=$(capinfos -c -M "$PCAP" | awk '/Number of packets/ {print $NF}')
printf '%s packets in %s, %s loop(s) per rate\n\n' "$total" "$PCAP" "$LOOPS"
THREAD_ARGS=""
[ -n "${THREADS:-}" ] && THREAD_ARGS="--threads $THREADS"
echo "threads: ${THREADS:-default}"
printf '%-8s %-10s %-10s %-9s %-9s %-10s %-9s %s\n' rate_pps replay_s seen kern_drop if_drop shard_drop rss_max rss_MiB_each_second
for rate in "${RATES[@]}"; do
  ip netns exec "$B" node bin/comms-watch.mjs -i "$IFB" --no-tui --json --no-from-node --promisc $THREAD_ARGS \
    > "$OUT/watch-$rate.jsonl" 2> "$OUT/watch-$rate.err" &
  WATCH_PID=$!
  for _ in $(seq 100); do grep -q 'capturing on' "$OUT/watch-$rate.err" && break; sleep 0.1; done
  : > "$OUT/rss-$rate"
  ( while kill -0 "$WATCH_PID" 2>/dev/null; do
      awk '/VmRSS/ {printf "%d\n", $2/1024}' "/proc/$WATCH_PID/status" 2>/dev/null >> "$OUT/rss-$rate" || true
      sleep 1
    done ) &
  SAMPLER=$!
  start=$(date +%s.%N)
  ip netns exec "$A" tcpreplay -q -i "$IFA" --pps="$rate" $LOOP_ARGS "$PCAP" > "$OUT/replay-$rate.txt" 2>&1
  took=$(echo "$(date +%s.%N) - $start" | bc)
  sleep 3   # let the pipeline drain the capture buffer before stopping
  kill -TERM "$WATCH_PID"
  wait "$WATCH_PID" || echo "comms-watch exited $? at $rate pps" >&2
  WATCH_PID=""
  wait "$SAMPLER" 2>/dev/null || true
  summary=$(grep '"type":"summary"' "$OUT/watch-$rate.jsonl" || echo '{}')
  seen=$(node -e 'const s=JSON.parse(process.argv[1]);console.log(s.packets ?? "?")' "$summary")
  kd=$(node -e 'const s=JSON.parse(process.argv[1]);console.log(s.drops?.kernel ?? "?")' "$summary")
  idr=$(node -e 'const s=JSON.parse(process.argv[1]);console.log(s.drops?.iface ?? "?")' "$summary")
  sdr=$(node -e 'const s=JSON.parse(process.argv[1]);console.log(s.drops?.shards ?? 0)' "$summary")
  rss=$(paste -sd' ' "$OUT/rss-$rate")
  max=$(sort -n "$OUT/rss-$rate" | tail -1)
  printf '%-8s %-10.1f %-10s %-9s %-9s %-10s %-9s %s\n' "$rate" "$took" "$seen" "$kd" "$idr" "$sdr" "${max:-?}" "$rss"
done
echo
echo "raw outputs in $OUT"
