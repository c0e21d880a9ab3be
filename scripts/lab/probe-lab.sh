#!/usr/bin/env bash
# The lab that `comms-watch --probe` is tested against: real Go crypto/tls servers (cwlab, built
# here offline from scripts/lab/go) and real etcd, in network namespace cw-p40, reachable from the
# "node" namespace cw-p41 (where comms-watch runs) over one veth pair. Nothing else is routed:
# 10.40.0.0/24 is on-link, there is no default route.
#
#   10.40.0.100        node (cw-p41, veth cwp41)
#   10.40.0.1:10250    kubelet-anon    kubelet's own self-signed pair, no client CA, anonymous auth + AlwaysAllow: GET /pods 200
#   10.40.0.2:10250    kubelet-secure  CA-signed serving cert, client CA, anonymous off: 401
#   10.40.0.3:10250    kubelet-403     CA-signed serving cert, client CA, anonymous on, webhook denies it: 403
#   10.40.0.4:2379     etcd-mtls       etcd, --client-cert-auth with the etcd CA
#   10.40.0.5:2379     etcd-open       etcd, server TLS only: any client gets in
#   10.40.0.6:6443     legacy          apiserver stand-in that still accepts TLS 1.0 and 1.1
#   10.40.0.7:10250    hang            accepts, never answers
#   10.40.0.8:10250    reset           accepts, aborts with an RST
#   10.40.0.9:10250    garbage         accepts, sends 4 KiB of non-TLS bytes
#
# The Go servers all set their TLS floor explicitly: Go 1.19's server default is TLS 1.0, while
# current kubelets and apiservers (newer Go) start at 1.2; etcd 3.4 has TLS 1.2 as its fixed floor.
#
# Usage: probe-lab.sh up DIR     build, make the PKI, start the servers, record DIR/traffic.pcap of
#                                real clients talking to each target, write DIR/lab.json; the
#                                servers stay up
#        probe-lab.sh down DIR   stop the processes listed in DIR/pids, delete the namespaces
# Needs root (ip netns, tcpdump).
set -Eeuo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
NS_T=cw-p40
NS_N=cw-p41
NODE=10.40.0.100
# The last lab directory, so that `up DIR` also stops a lab left behind under another DIR.
STATE=/run/cw-probe-lab.dir
# Shared between runs: a cold build of net/http and crypto/tls takes far longer than the lab's start.
GOBASE=${CW_PROBE_LAB_GO:-/tmp/cw-probe-lab-go}
declare -A IP=([kubelet-anon]=10.40.0.1 [kubelet-secure]=10.40.0.2 [kubelet-403]=10.40.0.3 [etcd-mtls]=10.40.0.4
  [etcd-open]=10.40.0.5 [legacy]=10.40.0.6 [hang]=10.40.0.7 [reset]=10.40.0.8 [garbage]=10.40.0.9)

usage() { echo "usage: probe-lab.sh up|down DIR" >&2; exit 2; }

# lab_down DIR: stop exactly the processes DIR/pids lists (each checked by name against PID reuse).
lab_down() {
  local d=$1 pid comm left i
  if [ -f "$d/pids" ]; then
    while read -r pid comm; do
      [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$comm" ] && kill "$pid" 2>/dev/null || true
    done < "$d/pids"
    for i in $(seq 30); do
      left=0
      while read -r pid comm; do
        [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$comm" ] && left=1
      done < "$d/pids"
      [ $left -eq 0 ] && break
      sleep 0.1
    done
    while read -r pid comm; do
      [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$comm" ] && kill -KILL "$pid" 2>/dev/null || true
    done < "$d/pids"
    rm -f "$d/pids"
  fi
  ip netns del "$NS_T" 2>/dev/null || true
  ip netns del "$NS_N" 2>/dev/null || true
}

# start NAME CMD...: a server in cw-p40, its PID and program name recorded in DIR/pids.
# ip netns exec execs the command, so $! is the server itself.
start() {
  local name=$1; shift
  ip netns exec "$NS_T" "$@" > "$D/log/$name.log" 2>&1 < /dev/null &
  echo "$! $(basename "$1")" >> "$D/pids"
}

# listening NAME IP PORT: wait (up to 10 s) until the server listens.
listening() {
  local i
  for i in $(seq 100); do
    ip netns exec "$NS_T" ss -ltnH "src $2:$3" | grep -q . && return 0
    sleep 0.1
  done
  echo "probe-lab: $1 did not listen on $2:$3, its log:" >&2
  cat "$D/log/$1.log" >&2
  return 1
}

# client CMD...: a client in cw-p41, bounded to 10 s, its output in DIR/log/clients.log.
client() {
  echo "\$ $*" >> "$D/log/clients.log"
  ip netns exec "$NS_N" timeout 10 "$@" >> "$D/log/clients.log" 2>&1 < /dev/null
}

pki() {
  cd "$D/pki"
  source "$HERE/pki-lib.sh"
  selfca ca '/CN=kubernetes' 3650
  selfca etcd-ca '/CN=etcd-ca' 3650
  # serverTLSBootstrap certificates (signer kubernetes.io/kubelet-serving, cluster CA).
  leaf kubelet-secure '/O=system:nodes/CN=system:node:kubelet-secure' ca 365 serverAuth "DNS:kubelet-secure,IP:${IP[kubelet-secure]}"
  leaf kubelet-403 '/O=system:nodes/CN=system:node:kubelet-403' ca 365 serverAuth "DNS:kubelet-403,IP:${IP[kubelet-403]}"
  leaf legacy '/CN=kube-apiserver' ca 365 serverAuth "DNS:kubernetes,DNS:kubernetes.default.svc,IP:${IP[legacy]}"
  leaf apiserver-kubelet-client '/O=system:masters/CN=kube-apiserver-kubelet-client' ca 365 clientAuth ''
  leaf etcd-mtls '/CN=etcd-mtls' etcd-ca 365 serverAuth,clientAuth "DNS:etcd-mtls,DNS:localhost,IP:${IP[etcd-mtls]},IP:127.0.0.1"
  leaf etcd-open '/CN=etcd-open' etcd-ca 365 serverAuth,clientAuth "DNS:etcd-open,DNS:localhost,IP:${IP[etcd-open]},IP:127.0.0.1"
  leaf apiserver-etcd-client '/CN=kube-apiserver-etcd-client' etcd-ca 365 clientAuth ''
  cat ca.crt etcd-ca.crt > ca-bundle.crt
  openssl rand -hex 24 > token
  rm -f ./*.csr ./*.ext
  chmod 600 ./*.key token
}

netns() {
  ip netns add "$NS_T"
  ip netns add "$NS_N"
  ip link add cwp40 netns "$NS_T" type veth peer name cwp41 netns "$NS_N"
  local n a
  for n in "$NS_T" "$NS_N"; do ip -n "$n" link set lo up; done
  for a in "${IP[@]}"; do ip -n "$NS_T" addr add "$a/24" dev cwp40; done
  ip -n "$NS_N" addr add "$NODE/24" dev cwp41
  ip -n "$NS_T" link set cwp40 up
  ip -n "$NS_N" link set cwp41 up
}

# etcd_args NAME PEERPORT: a one-member cluster serving clients on NAME's address; the peer port
# is on the namespace's loopback so that only client traffic uses the veth.
etcd_args() {
  local n=$1 p=$2 a=${IP[$1]}
  echo --name "$n" --data-dir "$D/$n.etcd" --listen-client-urls "https://$a:2379" --advertise-client-urls "https://$a:2379" \
    --listen-peer-urls "http://127.0.0.1:$p" --initial-advertise-peer-urls "http://127.0.0.1:$p" \
    --initial-cluster "$n=http://127.0.0.1:$p" --cert-file "$D/pki/$n.crt" --key-file "$D/pki/$n.key" --logger zap
}

servers() {
  local K=$D/pki B=$D/bin/cwlab
  start kubelet-anon "$B" kubelet -listen "${IP[kubelet-anon]}:10250" -host kubelet-anon -anonymous allow -tls-min 1.2 \
    -selfsigned-out "$K/kubelet-anon-chain.crt"
  start kubelet-secure "$B" kubelet -listen "${IP[kubelet-secure]}:10250" -host kubelet-secure -cert "$K/kubelet-secure.crt" \
    -key "$K/kubelet-secure.key" -client-ca "$K/ca.crt" -anonymous off -tls-min 1.2
  start kubelet-403 "$B" kubelet -listen "${IP[kubelet-403]}:10250" -host kubelet-403 -cert "$K/kubelet-403.crt" \
    -key "$K/kubelet-403.key" -client-ca "$K/ca.crt" -anonymous deny -tls-min 1.2
  # shellcheck disable=SC2046
  start etcd-mtls etcd $(etcd_args etcd-mtls 2380) --client-cert-auth --trusted-ca-file "$K/etcd-ca.crt"
  # shellcheck disable=SC2046
  start etcd-open etcd $(etcd_args etcd-open 2381)
  start legacy "$B" tls-server -listen "${IP[legacy]}:6443" -cert "$K/legacy.crt" -key "$K/legacy.key" \
    -client-ca "$K/ca.crt" -token-file "$K/token" -tls-min 1.0
  local m
  for m in hang reset garbage; do start "$m" "$B" misbehave -listen "${IP[$m]}:10250" -mode "$m"; done

  for m in kubelet-anon kubelet-secure kubelet-403 hang reset garbage; do listening "$m" "${IP[$m]}" 10250; done
  listening legacy "${IP[legacy]}" 6443
  listening etcd-mtls "${IP[etcd-mtls]}" 2379
  listening etcd-open "${IP[etcd-open]}" 2379
}

# traffic: the clients Kubernetes itself would run, in the node namespace, captured there.
traffic() {
  local K=$D/pki B=$D/bin/cwlab kl=$D/traffic.keylog i m
  rm -f "$D/traffic.pcap" "$kl"
  ip netns exec "$NS_N" tcpdump -i cwp41 --immediate-mode -U -s 0 -w "$D/traffic.pcap" tcp > "$D/log/tcpdump.log" 2>&1 < /dev/null &
  local cap=$!
  echo "$cap tcpdump" >> "$D/pids"
  for i in $(seq 50); do grep -qs 'listening on' "$D/log/tcpdump.log" && break; sleep 0.1; done
  # kube-apiserver -> kubelet: its kubelet client certificate, the kubelet not verified (no
  # --kubelet-certificate-authority), Go's default TLS 1.3.
  client "$B" kubelet-get -cert "$K/apiserver-kubelet-client.crt" -key "$K/apiserver-kubelet-client.key" -keylog "$kl" \
    "https://${IP[kubelet-anon]}:10250/pods" "https://${IP[kubelet-secure]}:10250/pods" "https://${IP[kubelet-403]}:10250/pods"
  client etcdctl --endpoints "https://${IP[etcd-mtls]}:2379" --cacert "$K/etcd-ca.crt" \
    --cert "$K/apiserver-etcd-client.crt" --key "$K/apiserver-etcd-client.key" endpoint health
  client etcdctl --endpoints "https://${IP[etcd-open]}:2379" --cacert "$K/etcd-ca.crt" endpoint health
  client "$B" tls-get -ca "$K/ca.crt" -token-file "$K/token" -keylog "$kl" "https://${IP[legacy]}:6443/version"
  for m in hang reset garbage; do
    client bash -c "exec 3<>/dev/tcp/${IP[$m]}/10250; sleep 0.2" || true
  done
  sleep 0.3
  kill -INT "$cap"
  wait "$cap" || true
  sed -i "/^$cap tcpdump\$/d" "$D/pids"
}

json_list() { local s='' x; for x in "$@"; do s+="${s:+, }\"$x\""; done; echo "[$s]"; }

# lab.json: the facts each target is configured to show, written by hand from the flags above.
# A TLS target's expect: versions it accepts, default_version (what a TLS 1.3 client gets),
# server_cert (the PEM it serves), self_signed (the kubelet's own pair), verifies_with_ca (with
# "ca", for its IP), certificate_request / client_ca_names (the DNs in it), client_cert_required
# (no handshake without one), and the HTTP status of GET path without (anonymous_status, null when
# the handshake fails) and with the matching clients.* certificate (client_cert_status). The
# misbehaving ones: { tls: false, behaviour }. secrets: every private key and token file made here
# (the self-signed kubelet's key exists only in its memory).
write_json() {
  local K=$D/pki
  local keys=("$K"/*.key)
  local pids
  pids=$(awk '{print $1}' "$D/pids" | paste -sd, | sed 's/,/, /g')
  local tls12_13='["1.2", "1.3"]' all='["1.0", "1.1", "1.2", "1.3"]'
  cat > "$D/lab.json" <<JSON
{
  "node": "$NODE",
  "namespaces": { "targets": "$NS_T", "node": "$NS_N" },
  "ca": "$K/ca-bundle.crt",
  "cas": { "cluster": "$K/ca.crt", "etcd": "$K/etcd-ca.crt" },
  "clients": {
    "kubelet": { "cert": "$K/apiserver-kubelet-client.crt", "key": "$K/apiserver-kubelet-client.key" },
    "etcd": { "cert": "$K/apiserver-etcd-client.crt", "key": "$K/apiserver-etcd-client.key" },
    "token": "$K/token"
  },
  "capture": {
    "pcap": "$D/traffic.pcap",
    "keylog": "$D/traffic.keylog",
    "tls13_to": $(json_list "${IP[kubelet-anon]}:10250" "${IP[kubelet-secure]}:10250" "${IP[kubelet-403]}:10250" "${IP[etcd-mtls]}:2379" "${IP[etcd-open]}:2379" "${IP[legacy]}:6443"),
    "tcp_only_to": $(json_list "${IP[hang]}:10250" "${IP[reset]}:10250" "${IP[garbage]}:10250")
  },
  "targets": [
    { "name": "kubelet-anon", "addr": "${IP[kubelet-anon]}:10250", "kind": "kubelet",
      "expect": { "tls": true, "versions": $tls12_13, "default_version": "1.3",
        "server_cert": "$K/kubelet-anon-chain.crt", "self_signed": true, "verifies_with_ca": false,
        "certificate_request": false, "client_ca_names": [], "client_cert_required": false,
        "path": "/pods", "anonymous_status": 200, "client_cert_status": 200 } },
    { "name": "kubelet-secure", "addr": "${IP[kubelet-secure]}:10250", "kind": "kubelet",
      "expect": { "tls": true, "versions": $tls12_13, "default_version": "1.3",
        "server_cert": "$K/kubelet-secure.crt", "self_signed": false, "verifies_with_ca": true,
        "certificate_request": true, "client_ca_names": ["CN=kubernetes"], "client_cert_required": false,
        "path": "/pods", "anonymous_status": 401, "client_cert_status": 200 } },
    { "name": "kubelet-403", "addr": "${IP[kubelet-403]}:10250", "kind": "kubelet",
      "expect": { "tls": true, "versions": $tls12_13, "default_version": "1.3",
        "server_cert": "$K/kubelet-403.crt", "self_signed": false, "verifies_with_ca": true,
        "certificate_request": true, "client_ca_names": ["CN=kubernetes"], "client_cert_required": false,
        "path": "/pods", "anonymous_status": 403, "client_cert_status": 200,
        "anonymous_body": "Forbidden (user=system:anonymous, verb=get, resource=nodes, subresource=proxy)" } },
    { "name": "etcd-mtls", "addr": "${IP[etcd-mtls]}:2379", "kind": "etcd",
      "expect": { "tls": true, "versions": $tls12_13, "default_version": "1.3",
        "server_cert": "$K/etcd-mtls.crt", "self_signed": false, "verifies_with_ca": true,
        "certificate_request": true, "client_ca_names": ["CN=etcd-ca"], "client_cert_required": true,
        "path": "/version", "anonymous_status": null, "client_cert_status": 200 } },
    { "name": "etcd-open", "addr": "${IP[etcd-open]}:2379", "kind": "etcd",
      "expect": { "tls": true, "versions": $tls12_13, "default_version": "1.3",
        "server_cert": "$K/etcd-open.crt", "self_signed": false, "verifies_with_ca": true,
        "certificate_request": false, "client_ca_names": [], "client_cert_required": false,
        "path": "/version", "anonymous_status": 200, "client_cert_status": 200 } },
    { "name": "legacy", "addr": "${IP[legacy]}:6443", "kind": "apiserver",
      "expect": { "tls": true, "versions": $all, "default_version": "1.3",
        "server_cert": "$K/legacy.crt", "self_signed": false, "verifies_with_ca": true,
        "certificate_request": true, "client_ca_names": ["CN=kubernetes"], "client_cert_required": false,
        "path": "/version", "anonymous_status": 401, "client_cert_status": 200 } },
    { "name": "hang", "addr": "${IP[hang]}:10250", "kind": "misbehave", "expect": { "tls": false, "behaviour": "hang" } },
    { "name": "reset", "addr": "${IP[reset]}:10250", "kind": "misbehave", "expect": { "tls": false, "behaviour": "reset" } },
    { "name": "garbage", "addr": "${IP[garbage]}:10250", "kind": "misbehave", "expect": { "tls": false, "behaviour": "garbage" } }
  ],
  "secrets": $(json_list "${keys[@]}" "$K/token"),
  "pids": [$pids]
}
JSON
}

up() {
  mkdir -p "$1"
  D=$(cd "$1" && pwd)
  local prev
  prev=$(cat "$STATE" 2>/dev/null || true)
  [ -n "$prev" ] && [ "$prev" != "$D" ] && lab_down "$prev"
  lab_down "$D"
  echo "$D" > "$STATE"
  rm -rf "$D/pki" "$D/log" "$D"/*.etcd
  mkdir -p "$D/pki" "$D/log" "$D/bin" "$GOBASE"
  : > "$D/pids"
  trap 'echo "probe-lab: up failed, see $D/log" >&2; lab_down "$D"' ERR
  (cd "$HERE/go" && GOCACHE=$GOBASE/cache GOPATH=$GOBASE/path GOPROXY=off GOFLAGS= go build -o "$D/bin/cwlab" .) &
  local build=$!
  (pki) > "$D/log/pki.log" 2>&1
  wait "$build"
  netns
  servers
  traffic
  write_json
  trap - ERR
}

[ $# -eq 2 ] || usage
[ "$(id -u)" -eq 0 ] || { echo "probe-lab.sh needs root (ip netns, tcpdump)" >&2; exit 2; }
case $1 in
  up) up "$2" ;;
  down) D=$(cd "$2" 2>/dev/null && pwd || echo "$2"); lab_down "$D"; [ "$(cat "$STATE" 2>/dev/null)" = "$D" ] && rm -f "$STATE"; true ;;
  *) usage ;;
esac
