#!/usr/bin/env bash
# Records captures/hostile.pcap (root; not run in CI): wire strings written to attack a report
# viewer, sent by real programs between two network namespaces of their own.
#   - Node.js tls.connect with a <script> / terminal-escape servername (SNI), TLS 1.2 so that the
#     server's chain is in the clear, to an openssl s_server on :10250 whose self-signed
#     certificate's subject holds a <script>, an attribute break-out and an OSC title escape;
#   - curl to a Node http server on :10255 with an <img onerror> Host header and a <script> path.
# Every payload tries to change document.title, so a browser test can tell whether any ran.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$HERE/../../captures}
A=${NS_A:-cwt-ha}
B=${NS_B:-cwt-hb}
NET=${NET:-70}
IPA=10.77.$NET.1
IPB=10.77.$NET.2
WORK=$(mktemp -d /tmp/cw-hostile.XXXXXX)
PIDS=()

cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  ip netns del "$A" 2>/dev/null || true
  ip netns del "$B" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

ip netns del "$A" 2>/dev/null || true
ip netns del "$B" 2>/dev/null || true
ip netns add "$A"
ip netns add "$B"
ip link add cwth0 netns "$A" type veth peer name cwth1 netns "$B"
ip -n "$A" addr add "$IPA/24" dev cwth0
ip -n "$B" addr add "$IPB/24" dev cwth1
for ns in "$A" "$B"; do ip -n "$ns" link set lo up; done
ip -n "$A" link set cwth0 up
ip -n "$B" link set cwth1 up

ESC=$'\x1b'
BEL=$'\x07'
# openssl -subj separates RDNs with "/", so the ones inside values are escaped.
CN="<script>document.title='pwned-cert'<\\/script>${ESC}]0;owned${BEL}${ESC}[31m"
O="\"><img src=x onerror=\"document.title='pwned-attr'\">"
openssl req -x509 -newkey rsa:2048 -nodes -days 365 -keyout "$WORK/srv.key" -out "$WORK/srv.crt" \
  -subj "/CN=$CN/O=$O" -addext 'basicConstraints=critical,CA:FALSE' 2> "$WORK/req.log"

wait_listen() {
  local i
  for i in $(seq 50); do ip netns exec "$B" ss -ltnH "sport = :$1" | grep -q . && return 0; sleep 0.1; done
  echo "nothing listens on :$1" >&2; return 1
}

ip netns exec "$B" tcpdump -i cwth1 --immediate-mode -U -s 0 -w "$WORK/hostile.pcap" tcp 2> "$WORK/tcpdump.log" &
PIDS+=($!)
for _ in $(seq 50); do grep -qs 'listening on' "$WORK/tcpdump.log" && break; sleep 0.1; done

ip netns exec "$B" openssl s_server -accept 10250 -naccept 1 -www -cert "$WORK/srv.crt" -key "$WORK/srv.key" -tls1_2 > "$WORK/s_server.log" 2>&1 &
PIDS+=($!)
wait_listen 10250
ip netns exec "$A" timeout 10 node -e '
const tls = require("node:tls");
const s = tls.connect({ host: process.argv[1], port: 10250, servername: process.argv[2], maxVersion: "TLSv1.2", rejectUnauthorized: false }, () => {
  s.end("GET / HTTP/1.0\r\n\r\n");
});
s.on("data", () => {});
s.on("error", (e) => { console.error(e.message); process.exitCode = 1; });
' "$IPB" "<script>document.title='pwned-sni'</script>${ESC}[31m${ESC}]0;owned${BEL}"

ip netns exec "$B" node -e '
require("node:http").createServer((q, s) => s.end("{}")).listen(10255, process.argv[1]);
' "$IPB" > "$WORK/http.log" 2>&1 &
PIDS+=($!)
wait_listen 10255
ip netns exec "$A" timeout 10 curl -s -o /dev/null --path-as-is \
  -H "Host: <img src=x onerror=\"document.title='pwned-host'\">${ESC}[2J" \
  -A "<script>document.title='pwned-ua'</script>" \
  "http://$IPB:10255/pods/<script>document.title='pwned-path'</script>"

sleep 0.5
kill -INT "${PIDS[0]}"
wait "${PIDS[0]}" 2>/dev/null || true
cp "$WORK/hostile.pcap" "$OUT/hostile.pcap"
echo "wrote $OUT/hostile.pcap ($(capinfos -c -M "$OUT/hostile.pcap" | awk '/Number of packets/ {print $NF}') packets)"
