#!/usr/bin/env bash
# npm run bench [-- FILE [RUNS]]: whole-process speed and memory of comms-watch beside the
# reference tools, same file, same run (../shared/bench/README.md explains the files).
# Prints median wall seconds, CPU seconds, packets/s, MB/s, peak RSS and the ratio to the
# JavaScript floor. Set BENCH_TSHARK=1 to add tshark (about a minute per run on the 2M file).
# comms-watch-tN rows pin --threads N (the comms-watch row is the default); a chart of their
# packets/s and the speed-up over one thread closes the output.
set -euo pipefail
cd "$(dirname "$0")/.."
F=${1:-bench-files/bench-2m.pcap}
RUNS=${2:-3}
SHARED=../shared/bench
if [ ! -f "$F" ]; then
  case "$(basename "$F")" in
    bench-2m.pcap) n=2000000 ;;
    bench-200k.pcap) n=200000 ;;
    *) echo "no such file: $F" >&2; exit 2 ;;
  esac
  mkdir -p "$(dirname "$F")"
  echo "generating $F ($n packets; the 2M file takes a few minutes)" >&2
  python3 "$SHARED/make-bench-pcap.py" "$F" --packets "$n" >&2
fi
[ -x /usr/bin/time ] || { echo "needs GNU time: bash scripts/setup-system.sh" >&2; exit 1; }
# What ships is the tsc build (bin/comms-watch.mjs runs it when it is current): measure that.
npm run --silent build
PKTS=$(capinfos -M -c "$F" 2>/dev/null | awk -F: '/Number of packets/ {gsub(/ /, "", $2); print $2}')
SIZE=$(stat -c %s "$F")
cat "$F" > /dev/null

declare -A CMD=(
  [node-floor]="node '$SHARED/node-floor.mjs' '$F' >> \"\$J\""
  [tcpdump-w]="tcpdump -r '$F' -w /dev/null 2>/dev/null"
  [spine]="node dist/scripts/bench-pipeline.js '$F' --no-dissect >> \"\$J\""
  [spine+dissect]="node dist/scripts/bench-pipeline.js '$F' >> \"\$J\""
  [comms-watch]="node bin/comms-watch.mjs analyze '$F' --json > /dev/null"
  [comms-watch-t1]="node bin/comms-watch.mjs analyze '$F' --json --threads 1 > /dev/null"
  [comms-watch-t2]="node bin/comms-watch.mjs analyze '$F' --json --threads 2 > /dev/null"
  [comms-watch-t4]="node bin/comms-watch.mjs analyze '$F' --json --threads 4 > /dev/null"
  [tshark-conv]="tshark -r '$F' -q -z conv,tcp > /dev/null 2>&1"
)
ORDER=(node-floor tcpdump-w spine spine+dissect comms-watch comms-watch-t1 comms-watch-t2 comms-watch-t4)
[ "${BENCH_TSHARK:-0}" = 1 ] && ORDER+=(tshark-conv)

printf '# %s: %s packets, %s bytes, %s runs each (median), %s, %s cores, load %s\n' "$F" "$PKTS" "$SIZE" "$RUNS" "$(date -u +%FT%TZ)" "$(nproc)" "$(cut -d' ' -f1 /proc/loadavg)"
# loop_s: the tool's own timing of its packet loop, process start-up excluded (the floor and
# bench-pipeline print it); x_floor compares whole processes, loop_x_floor compares loops.
printf '%-14s %9s %9s %12s %9s %11s %8s %8s %12s\n' tool wall_s cpu_s packets/s MB/s peakRSS_MB x_floor loop_s loop_x_floor
T=$(mktemp)
J=$(mktemp)
export J
floor=""
loopfloor=""
# packets/s and x_floor of the --threads rows, for the chart below the table.
declare -A PPS XF
for tool in "${ORDER[@]}"; do
  c=${CMD[$tool]}
  : > "$T"
  : > "$J"
  ok=1
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f '%e %U %S %M' -a -o "$T" sh -c "$c" || { ok=0; break; }
  done
  # A failed run's timing says nothing about the tool: no row, nothing in the chart.
  [ "$ok" = 1 ] || { printf '%-14s failed\n' "$tool"; continue; }
  med() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
  wall=$(awk '{print $1}' "$T" | med)
  cpu=$(awk '{print $2 + $3}' "$T" | med)
  rss=$(awk '{print $4}' "$T" | med)
  loop=$(sed -n 's/.*"seconds":\([0-9.]*\).*/\1/p' "$J" | med)
  [ -z "$floor" ] && floor=$wall
  [ -z "$loopfloor" ] && loopfloor=$loop
  awk -v t="$tool" -v w="$wall" -v c="$cpu" -v r="$rss" -v p="$PKTS" -v b="$SIZE" -v f="$floor" -v l="$loop" -v lf="$loopfloor" 'BEGIN {
    if (w <= 0) w = 0.01
    ls = l == "" ? "-" : sprintf("%.2f", l)
    lx = (l == "" || lf == "") ? "-" : sprintf("%.1f", l / lf)
    printf "%-14s %9.2f %9.2f %12.0f %9.1f %11.1f %8.1f %8s %12s\n", t, w, c, p / w, b / w / 1e6, r / 1024, w / f, ls, lx }'
  case $tool in
    comms-watch-t*)
      n=${tool#comms-watch-t}
      PPS[$n]=$(awk -v w="$wall" -v p="$PKTS" 'BEGIN { if (w <= 0) w = 0.01; printf "%.0f", p / w }')
      XF[$n]=$(awk -v w="$wall" -v f="$floor" 'BEGIN { if (w <= 0) w = 0.01; printf "%.1f", w / f }') ;;
  esac
done
rm -f "$T" "$J"

# packets/s against --threads: one bar each, the fastest 60 characters wide.
if [ -n "${PPS[1]:-}" ]; then
  echo
  echo "# packets/s by --threads (whole process)"
  max=0
  for n in 1 2 4; do
    if [ -n "${PPS[$n]:-}" ] && [ "${PPS[$n]}" -gt "$max" ]; then max=${PPS[$n]}; fi
  done
  for n in 1 2 4; do
    if [ -z "${PPS[$n]:-}" ]; then printf 't%-2s | failed\n' "$n"; continue; fi
    awk -v n="$n" -v p="${PPS[$n]}" -v m="$max" -v x="${XF[$n]}" 'BEGIN {
      w = m > 0 ? int(60 * p / m + 0.5) : 0
      bar = ""; for (i = 0; i < w; i++) bar = bar "#"
      printf "t%-2s | %-60s %10.0f pkt/s  x_floor %s\n", n, bar, p, x }'
  done
  for n in 2 4; do
    if [ -n "${PPS[$n]:-}" ]; then
      awk -v n="$n" -v p="${PPS[$n]}" -v b="${PPS[1]}" 'BEGIN { printf "speed-up t%s/t1: %.2fx\n", n, p / b }'
    fi
  done
fi

# Peak RSS follows V8's heap growth, which is lazy: the old space grows several times past what
# is alive before a full collection. What the pipeline itself keeps is the heap left after each
# full collection; its largest value says whether memory stays flat from one file size to another.
echo
echo "# heap alive after full GCs (--threads 1, node --trace-gc)"
node --trace-gc bin/comms-watch.mjs analyze "$F" --json --threads 1 | awk '
  /Mark-Compact/ {
    for (i = 1; i <= NF; i++) if ($i == "->") { before = $(i - 2) + 0; after = $(i + 1) + 0 }
    n++; if (after > live) live = after; if (before > top) top = before
  }
  END { printf "full GCs %d, largest heap before one %.1f MB, largest alive after one %.1f MB\n", n, top, live }'
