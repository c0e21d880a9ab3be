#!/usr/bin/env bash
# Helpers the scenario files use: start a capture on the lab bridge, start servers and clients
# inside lab hosts, and stop exactly the processes started here (by PID).
# Expects netns.sh sourced, and LAB (work dir), PKI (keys), OUT (captures dir), NODE_PEERS set.

LAB_PIDS=()
CAP_PID=
CAP_NAME=

# capture NAME: start tcpdump on the bridge (TCP only, full packets) writing OUT/NAME.pcap.
capture() {
  CAP_NAME=$1
  rm -f "$OUT/$CAP_NAME.pcap" "$OUT/$CAP_NAME.keylog"
  # Started with ip netns exec directly (not through a shell function) so that $! is tcpdump itself.
  ip netns exec cw-net tcpdump -i "$LAB_BRIDGE" --immediate-mode -U -s 0 -w "$OUT/$CAP_NAME.pcap" tcp 2> "$LAB/log/$CAP_NAME.tcpdump" &
  CAP_PID=$!
  local i
  for i in $(seq 50); do grep -qs 'listening on' "$LAB/log/$CAP_NAME.tcpdump" && break; sleep 0.1; done
  echo "== $CAP_NAME"
}

# serve HOST PORT CMD...: start a server in HOST's namespace and wait until PORT listens.
serve() {
  local h=$1 port=$2; shift 2
  ip netns exec "cw-$h" "$@" >> "$LAB/log/$CAP_NAME.$h.log" 2>&1 < /dev/null &
  LAB_PIDS+=($!)
  local i
  for i in $(seq 50); do
    on "$h" ss -ltnH "sport = :$port" | grep -q . && return 0
    sleep 0.1
  done
  echo "server on $h:$port did not start" >&2; return 1
}

# run HOST CMD...: run a client to completion (bounded to 10 s).
run() {
  local h=$1; shift
  on "$h" timeout 10 "$@" >> "$LAB/log/$CAP_NAME.$h.log" 2>&1 || echo "  (client on $h exited $?)"
}

# send HOST TEXT CMD...: run a client with TEXT on its stdin (for openssl s_client).
send() {
  local h=$1 text=$2; shift 2
  printf '%b' "$text" | on "$h" timeout 10 "$@" >> "$LAB/log/$CAP_NAME.$h.log" 2>&1 || echo "  (client on $h exited $?)"
}

# finish: let the last packets arrive, stop the servers and tcpdump.
finish() {
  sleep 0.5
  stop_servers
  if [ -n "$CAP_PID" ]; then kill -INT "$CAP_PID" 2>/dev/null; wait "$CAP_PID" 2>/dev/null; CAP_PID=; fi
  printf '  %s packets\n' "$(capinfos -c -M "$OUT/$CAP_NAME.pcap" | awk '/Number of packets/ {print $NF}')"
}

stop_servers() {
  local p
  for p in "${LAB_PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${LAB_PIDS[@]}"; do wait "$p" 2>/dev/null; done
  LAB_PIDS=()
}

lab_cleanup() {
  stop_servers
  if [ -n "$CAP_PID" ]; then kill -INT "$CAP_PID" 2>/dev/null; wait "$CAP_PID" 2>/dev/null; fi
  lab_down
}

# Shorthands for the real programs.
peer() { echo node "$NODE_PEERS/$1"; }
KL() { echo "$OUT/$CAP_NAME.keylog"; }

# sserver HOST PORT ARGS...: one-connection openssl s_server answering an HTTP GET with its status page.
sserver() { local h=$1 port=$2; shift 2; serve "$h" "$port" openssl s_server -accept "$port" -naccept 1 -www "$@"; }
# sclient HOST REQUEST ARGS...: openssl s_client sending REQUEST and reading until the server closes.
sclient() { local h=$1 req=$2; shift 2; send "$h" "$req" openssl s_client -quiet -keylogfile "$(KL)" "$@"; }
# crt NAME: -cert/-key arguments for a lab identity.
crt() { echo -cert "$PKI/$1.crt" -key "$PKI/$1.key"; }

# real_lab: what the real-component scenarios (8x/9x-real-*) need, made once per run: their own
# PKI ($RPKI, public part in $OUT/pki/real) and the lab's Go peers ($CWLAB, scripts/lab/go, built
# offline from the standard library only).
real_lab() {
  RPKI=$LAB/pki-real
  [ -f "$RPKI/ca.key" ] || bash "$HERE/pki-real.sh" "$RPKI" "$OUT/pki/real" || return 1
  mkdir -p "$OUT/pki/real" && cp "$RPKI"/*.crt "$OUT/pki/real/"
  CWLAB=$LAB/bin/cwlab
  [ -n "${CWLAB_BUILT:-}" ] && return 0
  (cd "$HERE/go" && GOCACHE=$LAB/go-cache GOPATH=$LAB/go GOFLAGS=-mod=mod GOPROXY=off go build -o "$CWLAB" .) || return 1
  CWLAB_BUILT=1
}
# rcrt NAME: etcdctl/curl-style --cert/--key arguments for an identity of the real PKI.
rcrt() { echo --cert "$RPKI/$1.crt" --key "$RPKI/$1.key"; }
# etcd_on HOST ARGS...: a fresh real etcd 3.4 member in HOST, started once its client port listens.
etcd_on() { local h=$1; shift; rm -rf "$LAB/etcd-$h"; serve "$h" 2379 etcd --data-dir "$LAB/etcd-$h" "$@"; }
# etcd_single HOST SCHEME: the flags of a one-member cluster serving clients on HOST's address
# (peer port on loopback, so that only client traffic crosses the bridge).
etcd_single() {
  local h=$1 s=$2 a=${LAB_V4[$1]}
  echo --name "$h" --listen-client-urls "$s://$a:2379" --advertise-client-urls "$s://$a:2379" \
    --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
    --initial-cluster "$h=http://127.0.0.1:2380"
}
