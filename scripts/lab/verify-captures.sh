#!/usr/bin/env bash
# Proves with tshark that every committed lab capture still shows what its scenario did and what
# captures/EXPECTED.json says: TCP endpoints of every listed path, then per-capture facts
# (versions, suites, CertificateRequest or not, certificate names and serials, SNI, alerts, HTTP
# paths, gRPC metadata names, SSH algorithms). Expected values are written from the scenario
# design. Prints "ok <capture>" / "FAIL <capture>: ..." lines and exits 1 on any failure.
# Usage: scripts/lab/verify-captures.sh [CAPTURES_DIR]
set -uo pipefail
D=${1:-$(cd "$(dirname "$0")/../../captures" && pwd)}
command -v tshark >/dev/null || { echo "tshark is required (scripts/setup-system.sh)" >&2; exit 2; }
# Checks run in parallel (one tshark each); a failing check appends a line to $T/<capture>.
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
JOBS=$(( $(nproc) * 2 ))
bad() { printf '%s\n' "$2" >> "$T/$1"; }
par() { while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done; "$@" & }

# q FILE FILTER FIELDS [tshark args...]: unique field lines (fields joined by |, lines by " / ").
q() {
  local f=$1 filter=$2 fields=$3; shift 3
  local kl=$D/${f%.pcap}.keylog e=() x
  [ -s "$kl" ] && e+=(-o "tls.keylog_file:$kl")
  for x in ${fields//,/ }; do e+=(-e "$x"); done
  tshark -n -r "$D/$f" "${e[@]}" "$@" -Y "$filter" -T fields -E separator='|' -E aggregator=',' 2>/dev/null \
    | awk 'NF && !seen[$0]++' | paste -sd'\n' | sed ':a;N;$!ba;s/\n/ \/ /g'
}

# c FILE FILTER FIELDS EXPECTED [tshark args...]
c() { par _c "$@"; }
_c() {
  local f=$1 filter=$2 fields=$3 want=$4; shift 4
  local got; got=$(q "$f" "$filter" "$fields" "$@")
  if [ "$got" != "$want" ]; then
    bad "$f" "  [$filter] $fields: got '$got' want '$want'"
  fi
}
# k FILE FILTER COUNT: exactly COUNT packets match FILTER.
k() { par _k "$@"; }
_k() {
  local got; got=$(tshark -n -r "$D/$1" -o "tls.keylog_file:$D/${1%.pcap}.keylog" -Y "$2" 2>/dev/null | wc -l)
  [ "$got" -eq "$3" ] || bad "$1" "  [$2] count: got $got want $3"
}
# y FILE FILTER: at least one packet matches FILTER.
y() { par _y "$@"; }
_y() { [ -n "$(q "$1" "$2" frame.number "${@:3}")" ] || bad "$1" "  [$2] matched nothing"; }
# n FILE FILTER: nothing matches FILTER.
n() { c "$1" "$2" frame.number '' "${@:3}"; }

# --- every capture and path listed in EXPECTED.json is there (generic)
while IFS='|' read -r f client sip sport; do
  [ -f "$D/$f" ] || { bad "$f" "  missing file"; continue; }
  if [ "$f" = handshake-not-observed.pcap ]; then
    flt="tcp.srcport==$sport"
  else
    flt="tcp.flags.syn==1 && tcp.flags.ack==0 && tcp.dstport==$sport"
  fi
  if [[ $client == *:* ]]; then flt+=" && ipv6.addr==$client && ipv6.addr==$sip"; else flt+=" && ip.addr==$client && ip.addr==$sip"; fi
  y "$f" "$flt"
done < <(node -e '
  const e = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  for (const c of e.captures) for (const p of c.paths) {
    const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(p.server);
    console.log([c.file, p.client, m[1], m[2]].join("|"));
  }' "$D/EXPECTED.json")

# --- apiserver -> kubelet
F=kubelet-selfsigned-no-client-auth.pcap
c $F 'tls.handshake.type==2' tls.handshake.version,tls.handshake.ciphersuite '0x0303|0xc030'
n $F 'tls.handshake.type==13'
n $F 'tls.handshake.extensions_server_name'
c $F 'tls.handshake.type==11' x509af.serialNumber '02,01'
y $F 'tls.handshake.type==11 && x509sat.uTF8String=="node1@1700000000" && x509sat.uTF8String=="node1-ca@1700000000"'
c $F 'tls.handshake.type==11' x509ce.dNSName,x509ce.IPAddress.ipv4 'node1|10.20.1.5'
c $F 'http.request' http.request.uri '/containerLogs/kube-system/kube-proxy-7xk2p/kube-proxy?tailLines=20'
F=kubelet-selfsigned-mtls.pcap
y $F 'tls.handshake.type==13 && ip.src==10.20.1.5 && tls.handshake.dnames_len>0'
y $F 'tls.handshake.type==11 && ip.src==10.20.0.10 && x509sat.uTF8String=="kubernetes" && x509sat.uTF8String=="system:masters" && x509sat.uTF8String=="kube-apiserver-kubelet-client"'
c $F 'tls.handshake.type==11 && ip.src==10.20.1.5' x509af.serialNumber '02,01'
c $F 'http.request' http.request.uri '/exec/default/web-6d4cf56db6-x7k2p/web?command=date&output=1'
F=kubelet-casigned-mtls-tls12.pcap
y $F 'tls.handshake.type==11 && ip.src==10.20.1.6 && x509sat.uTF8String=="kubernetes" && x509sat.uTF8String=="system:nodes" && x509sat.uTF8String=="system:node:node2"'
c $F 'tls.handshake.type==11 && ip.src==10.20.1.6' x509ce.dNSName,x509ce.IPAddress.ipv4 'node2|10.20.1.6'
c $F 'tls.handshake.type==13' ip.src '10.20.1.6'
y $F 'tls.handshake.type==11 && ip.src==10.20.0.10 && x509sat.uTF8String=="kubernetes" && x509sat.uTF8String=="system:masters" && x509sat.uTF8String=="kube-apiserver-kubelet-client"'
F=kubelet-casigned-mtls-tls13.pcap
c $F 'tls.handshake.type==2' tls.handshake.extensions.supported_version,tls.handshake.ciphersuite '0x0304|0x1302'
c $F 'tls.handshake.type==13' ip.src '10.20.1.6'
y $F 'tls.handshake.type==11 && ip.src==10.20.0.10 && x509sat.uTF8String=="kubernetes" && x509sat.uTF8String=="system:masters" && x509sat.uTF8String=="kube-apiserver-kubelet-client"'
c $F 'http.request' http.request.uri '/containerLogs/default/web-6d4cf56db6-x7k2p/web?tailLines=5 / /portForward/default/web-6d4cf56db6-x7k2p'
c $F 'http.response' http.response.code '200 / 400'
F=kubelet-cert-expiring.pcap
y $F 'tls.handshake.type==11 && ip.src==10.20.1.5 && x509sat.uTF8String=="node1-ca@1672531200" && x509sat.uTF8String=="node1@1672531200"'
NA=$(date -u -d "$(openssl x509 -in "$D/pki/kubelet-node1-old.crt" -noout -enddate | cut -d= -f2)" '+%Y-%m-%d %H:%M:%S (UTC)')
y $F "tls.handshake.type==11 && ip.src==10.20.1.5 && x509af.utcTime==\"$NA\""
[ "${NA:0:10}" = 2026-12-18 ] || bad "$F" "  pki/kubelet-node1-old.crt notAfter $NA, EXPECTED.json says 2026-12-18"
c $F 'tls.handshake.type==13' ip.src '10.20.1.5'
F=kubelet-cleartext.pcap
n $F 'tls'
c $F 'http.request' http.request.method,http.request.uri,http.authorization 'POST|/exec/default/web-6d4cf56db6-x7k2p/web?command=cat&command=%2Fetc%2Fshadow&output=1| / POST|/containerLogs/default/web-6d4cf56db6-x7k2p/web|'
F=kubelet-readonly.pcap
c $F 'http.request' http.request.uri,tcp.dstport '/pods|10255 / /stats/summary|10255'
c $F 'http.response' http.response.code '200'

# --- apiserver endpoints
F=apiserver-insecure-port.pcap
c $F 'http.request' http.request.uri,http.authorization '/api/v1/nodes/node1| / /api/v1/pods?fieldSelector=spec.nodeName%3Dnode1|'
F=apiserver-cleartext-token.pcap
c $F 'http.request' ip.src,http.request.uri '10.244.1.7|/api/v1/namespaces/default/secrets'
c $F 'http.authorization matches "^Bearer eyJ[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]{342}$"' ip.src '10.244.1.7'
n $F 'http.authorization && !(http.authorization matches "^Bearer eyJ")'
F=node-apiserver-mtls-tls12.pcap
n $F 'tls.handshake.extensions_server_name'
c $F 'tls.handshake.type==13' ip.src '10.20.0.10'
c $F 'tls.handshake.type==11 && ip.src==10.20.0.10' x509ce.dNSName,x509ce.IPAddress.ipv4 'cp,kubernetes,kubernetes.default,kubernetes.default.svc,kubernetes.default.svc.cluster.local|10.96.0.1,10.20.0.10'
y $F 'tls.handshake.type==11 && ip.src==10.20.1.5 && x509sat.uTF8String=="kubernetes" && x509sat.uTF8String=="system:nodes" && x509sat.uTF8String=="system:node:node1"'
F=node-apiserver-mtls-tls13.pcap
c $F 'tls.handshake.type==2' tls.handshake.extensions.supported_version '0x0304'
y $F 'tls.handshake.type==11 && ip.src==10.20.1.5 && x509sat.uTF8String=="kubernetes" && x509sat.uTF8String=="system:nodes" && x509sat.uTF8String=="system:node:node1"'
c $F 'http.request' http.request.uri '/api/v1/nodes/node1 / /apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node1'
F=node-apiserver-no-client-cert.pcap
c $F 'tls.handshake.type==13' ip.src '10.20.0.10'
c $F 'tls.handshake.type==11 && ip.src==10.20.1.5' tls.handshake.certificates_length '0'
c $F 'http.request' http.request.uri,http.user_agent '/api/v1/services?limit=500|kube-proxy/v1.32.0 (linux/amd64) kubernetes/70d3cc9 / /apis/discovery.k8s.io/v1/endpointslices?limit=500|kube-proxy/v1.32.0 (linux/amd64) kubernetes/70d3cc9'
c $F 'http.authorization matches "^Bearer eyJ"' ip.src '10.20.1.5'
F=node-apiserver-ipv6.pcap
c $F 'tls.handshake.type==1' ipv6.src,ipv6.dst,tcp.dstport 'fd00:20::105|fd00:20::10|6443'
c $F 'tls.handshake.type==13' ipv6.src 'fd00:20::10'
F=pod-apiserver-token.pcap
c $F 'tls.handshake.type==1' ip.src,ip.dst,tcp.dstport '10.244.1.7|10.96.0.1|443'
n $F 'tls.handshake.extensions_server_name'
c $F 'tls.handshake.type==11 && ip.src==10.244.1.7' tls.handshake.certificates_length '0'
c $F 'http.authorization matches "^Bearer eyJ"' http.request.uri '/api/v1/namespaces/default/configmaps/web-config / /apis/apps/v1/namespaces/default/deployments/web'
F=controlplane-apiserver.pcap
y $F 'tls.handshake.type==11 && ip.src==10.20.0.11 && x509sat.uTF8String=="kubernetes" && x509sat.uTF8String=="system:kube-scheduler"'
c $F 'http.request' http.user_agent 'kube-scheduler/v1.32.0 (linux/amd64) kubernetes/70d3cc9/leader-election'

# --- etcd
F=etcd-mtls.pcap
c $F 'tls.handshake.type==13' ip.src '10.20.0.11'
y $F 'tls.handshake.type==11 && ip.src==10.20.0.10 && x509sat.uTF8String=="etcd-ca" && x509sat.uTF8String=="kube-apiserver-etcd-client"'
y $F 'tls.handshake.type==11 && ip.src==10.20.0.11 && x509sat.uTF8String=="etcd-ca" && x509sat.uTF8String=="cp2"'
F=etcd-peer-mtls.pcap
c $F 'tls.handshake.type==13' ip.src,tcp.srcport '10.20.0.11|2380'
y $F 'tls.handshake.type==11 && ip.src==10.20.0.10 && x509sat.uTF8String=="etcd-ca" && x509sat.uTF8String=="cp"'
c $F 'http.request' http.request.uri '/raft/stream/msgappv2/8e9e05c52164694d'
F=etcd-no-client-auth.pcap
n $F 'tls.handshake.type==13'
c $F 'tls.handshake.type==11' ip.src '10.20.0.11'
c $F 'tls.handshake.type==2' tls.handshake.version '0x0303'
F=etcd-cleartext.pcap
n $F 'tls'
c $F 'http.request' http.request.method,http.request.uri,tcp.dstport 'GET|/version|2379 / POST|/v3/kv/range|2379'

# --- TLS problems
F=tls-legacy-version.pcap
c $F 'tls.handshake.type==2' tls.handshake.version,tls.handshake.ciphersuite '0x0301|0xc014'
n $F 'tls.handshake.extensions.supported_version'
F=tls-weak-cipher.pcap
c $F 'tls.handshake.type==2' tls.handshake.version,tls.handshake.ciphersuite '0x0303|0xc010'
c $F 'tls.handshake.type==1' tls.handshake.ciphersuite '0x1302,0x1303,0x1301,0xc010,0x00ff'
F=cert-expired.pcap
y $F 'tls.handshake.type==11 && ip.src==10.20.0.10 && x509af.utcTime=="2024-01-01 00:00:00 (UTC)" && x509af.utcTime=="2025-01-01 00:00:00 (UTC)"'
y $F 'tls.handshake.type==11 && ip.src==10.20.0.10 && x509sat.uTF8String=="kubernetes" && x509sat.uTF8String=="kube-apiserver"'
F=cert-name-mismatch.pcap
c $F 'tls.handshake.type==1' tls.handshake.extensions_server_name 'kubernetes.default.svc'
c $F 'tls.handshake.type==11 && ip.src==10.20.0.10' x509ce.dNSName,x509ce.IPAddress.ipv4 'apiserver.other-cluster.example|10.99.0.1'
F=cert-weak-key.pcap
# A 1024-bit modulus is 129 DER bytes (leading zero); the served chain also has the 2048-bit CA.
y $F 'tls.handshake.type==11 && ip.src==10.20.0.10 && len(pkcs1.modulus)==129'
k $F 'pkcs1.modulus && len(pkcs1.modulus)!=129 && len(pkcs1.modulus)!=257' 0
n $F 'x509af.algorithm.id==1.2.840.113549.1.1.5'
F=cert-untrusted.pcap
y $F 'tls.handshake.type==11 && ip.src==10.20.0.10 && x509sat.uTF8String=="kubernetes" && x509sat.uTF8String=="kube-apiserver"'
F=tls-handshake-failure.pcap
c $F 'tls.alert_message' ip.src,tls.alert_message.level,tls.alert_message.desc '10.20.1.5|2|48'
n $F 'tls.handshake.type==16'
n $F 'tls.app_data'

# --- apiserver proxy
F=proxy-cleartext.pcap
c $F 'http.request' ip.dst,http.request.uri,http.x_forwarded_for '10.244.1.7|/|192.168.50.23 / 10.244.1.7|/metrics|192.168.50.23'
n $F 'http.authorization'
F=proxy-unverified-tls.pcap
n $F 'tls.handshake.type==13'
n $F 'tls.handshake.extensions_server_name'
y $F 'tls.handshake.type==11 && x509sat.uTF8String=="web-6d4cf56db6-x7k2p"'
c $F 'http.request' http.request.uri,http.authorization '/|'

# --- ssh
F=ssh-tunnel-strong.pcap
c $F 'ssh.message_code==20 && ip.src==10.20.1.5' ssh.server_host_key_algorithms,ssh.encryption_algorithms_server_to_client 'ssh-ed25519|chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,aes256-gcm@openssh.com'
c $F 'ssh.protocol' ssh.protocol 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10'
F=ssh-weak-algorithm.pcap
c $F 'ssh.message_code==20 && ip.src==10.20.1.5' ssh.kex_algorithms,ssh.server_host_key_algorithms,ssh.encryption_algorithms_client_to_server,ssh.mac_algorithms_client_to_server 'diffie-hellman-group14-sha1,kex-strict-s-v00@openssh.com|ssh-rsa|aes128-cbc|hmac-sha1'

# --- konnectivity
F=konnectivity-agent-token.pcap
n $F 'tls.handshake.type==13'
c $F 'tls.handshake.type==1' tls.handshake.extensions_alpn_str 'h2'
n $F 'tls.handshake.extensions_server_name'
c $F 'http2.header.name=="authorization"' ip.src '10.20.1.5'
c $F 'http2.type==1 && ip.src==10.20.1.5' http2.headers.path,http2.headers.content_type '/AgentService/Connect|application/grpc'
c $F 'http2.header.value=="ipv4=10.20.1.5&host=node1&cidr=10.244.1.0%2F24&default-route="' ip.src '10.20.1.5'
F=konnectivity-agent-mtls.pcap
c $F 'tls.handshake.type==13' ip.src '10.20.0.10'
y $F 'tls.handshake.type==11 && ip.src==10.20.1.5 && x509sat.uTF8String=="kubernetes" && x509sat.uTF8String=="system:konnectivity-agent"'
n $F 'http2.header.name=="authorization"'
c $F 'http2.type==1 && ip.src==10.20.1.5' http2.headers.path '/AgentService/Connect'
F=konnectivity-agent-cleartext.pcap
n $F 'tls'
c $F 'http2.type==1 && ip.src==10.20.1.5' http2.headers.path,http2.headers.content_type '/AgentService/Connect|application/grpc' -d tcp.port==8132,http2
c $F 'http2.header.name=="authorization"' ip.src '10.20.1.5' -d tcp.port==8132,http2
c $F 'tcp.srcport==8132 && frame contains "10.244.1.7:8080"' ip.src '10.20.0.10'
c $F 'tcp.dstport==8132 && frame contains "HTTP/1.1 200 OK"' ip.src '10.20.1.5'
F=konnectivity-server-connect-mtls.pcap
c $F 'tls.handshake.type==13' ip.src,tcp.srcport '10.20.0.10|8131'
y $F 'tls.handshake.type==11 && ip.src==10.20.0.11 && x509sat.uTF8String=="kubernetes" && x509sat.uTF8String=="konnectivity-client"'
c $F 'http.request' http.request.method,http.request.uri,http.host 'CONNECT|10.20.1.6:10250|127.0.0.1'
F=konnectivity-server-connect-cleartext.pcap
c $F 'http.request.method=="CONNECT"' http.request.uri,http.host '10.20.1.6:10250|127.0.0.1'
c $F 'http.response' http.response.code,http.response.phrase '200|Connection Established / 200|OK'
c $F 'tls.handshake.type==1' tcp.dstport '8131'
c $F 'tls.handshake.type==13' ip.src '10.20.0.10'
y $F 'tls.handshake.type==11 && ip.src==10.20.0.10 && x509sat.uTF8String=="kubernetes" && x509sat.uTF8String=="system:nodes" && x509sat.uTF8String=="system:node:node2"'

# --- mid-stream
F=handshake-not-observed.pcap
n $F 'tcp.flags.syn==1'
n $F 'tls.handshake' -d tcp.port==6443,tls
# The watch request left before tcpdump started: only the server's event records are seen.
c $F 'tls.record.content_type==23' ip.src,tls.record.version "10.20.0.10|0x0303" -d tcp.port==6443,tls

# --- real components (scenarios 8x/9x-real-*): real etcd/etcdctl/kubectl, the lab's Go kubelet and apiserver
F=real-etcd-mtls-tls13.pcap
c $F 'tls.handshake.type==2' tls.handshake.extensions.supported_version,tls.handshake.ciphersuite '0x0304|0x1301'
k $F 'tls.handshake.type==1 && ip.src==10.20.0.10 && tcp.dstport==2379' 2
n $F 'tls.handshake.type==11'
F=real-etcd-mtls-tls12.pcap
c $F 'tls.handshake.type==2' tls.handshake.version,tls.handshake.ciphersuite '0x0303|0xc02f'
n $F 'tls.handshake.extensions_server_name'
c $F 'tls.handshake.type==13' ip.src '10.20.0.11'
c $F 'tls.handshake.type==11 && ip.src==10.20.0.11' x509ce.dNSName,x509ce.IPAddress.ipv4 'cp2,localhost|10.20.0.11,127.0.0.1'
y $F 'tls.handshake.type==11 && ip.src==10.20.0.11 && x509sat.uTF8String=="etcd-ca" && x509sat.uTF8String=="cp2"'
y $F 'tls.handshake.type==11 && ip.src==10.20.0.10 && x509sat.uTF8String=="etcd-ca" && x509sat.uTF8String=="kube-apiserver-etcd-client"'
c $F 'http2.type==1 && ip.src==10.20.0.10' http2.headers.method,http2.headers.path 'POST|/v3/kv/range'
F=real-etcd-no-client-auth-tls12.pcap
c $F 'tls.handshake.type==2' tls.handshake.version '0x0303'
n $F 'tls.handshake.type==13'
c $F 'tls.handshake.type==11' ip.src '10.20.0.11'
c $F 'http2.type==1 && ip.src==10.20.0.10' http2.headers.method,http2.headers.path 'POST|/v3/kv/range'
F=real-etcd-no-client-auth-tls13.pcap
c $F 'tls.handshake.type==2' tls.handshake.extensions.supported_version '0x0304'
n $F 'tls.handshake.type==11'
F=real-etcd-peer-mtls.pcap
c $F 'tls.handshake.type==2' tls.handshake.extensions.supported_version '0x0304'
y $F 'tls.handshake.type==1 && ip.src==10.20.0.10 && tcp.dstport==2380'
y $F 'tls.handshake.type==1 && ip.src==10.20.0.11 && tcp.dstport==2380'
y $F 'tls.handshake.type==1 && ip.src==10.20.0.10 && tcp.dstport==2379'
n $F 'tls.handshake.type==11'
F=real-etcd-cleartext.pcap
n $F 'tls'
c $F 'http2.type==1 && ip.src==10.20.0.10' http2.headers.path,http2.headers.content_type '/etcdserverpb.KV/Put|application/grpc / /etcdserverpb.KV/Range|application/grpc' -d tcp.port==2379,http2
n $F 'http2.header.name=="authorization" || http2.header.name=="token"' -d tcp.port==2379,http2
# The Go kubelet's start-up pair: names from the public chain it wrote, shape from client-go.
kubelet_pair() {
  local f=$1 crt=$D/pki/real/${1%.pcap}-kubelet.crt cn ca
  cn=$(openssl x509 -in "$crt" -noout -subject -nameopt RFC2253 | sed 's/^subject=CN=//')
  ca=$(openssl x509 -in "$crt" -noout -issuer -nameopt RFC2253 | sed 's/^issuer=CN=//')
  # client-go reads the clock once per certificate, so the two <unix> may differ by the key generation time.
  [[ $cn =~ ^node1@[0-9]{10}$ && $ca =~ ^node1-ca@[0-9]{10}$ ]] || bad "$f" "  $crt: leaf $cn issuer $ca"
  y "$f" "tls.handshake.type==11 && ip.src==10.20.1.5 && x509sat.uTF8String==\"$cn\" && x509sat.uTF8String==\"$ca\""
  c "$f" 'tls.handshake.type==11 && ip.src==10.20.1.5' x509af.serialNumber '02,01'
  c "$f" 'tls.handshake.type==11 && ip.src==10.20.1.5' x509ce.dNSName,x509ce.IPAddress.ipv4 'node1|'
  c "$f" 'tls.handshake.type==13 && tcp.srcport==10250' ip.src '10.20.1.5'
  y "$f" 'tls.handshake.type==11 && ip.src==10.20.0.10 && x509sat.uTF8String=="system:masters" && x509sat.uTF8String=="kube-apiserver-kubelet-client"'
}
F=real-kubelet-selfsigned-tls12.pcap
c $F 'tls.handshake.type==2' tls.handshake.version,tls.handshake.ciphersuite '0x0303|0xc02f'
kubelet_pair $F
c $F 'http.request' http.request.uri '/containerLogs/kube-system/kube-proxy-7xk2p/kube-proxy?tailLines=20 / /pods'
F=real-kubelet-selfsigned-tls13.pcap
c $F 'tls.handshake.type==2' tls.handshake.extensions.supported_version,tls.handshake.ciphersuite '0x0304|0x1301'
kubelet_pair $F
c $F 'http.request' http.request.uri '/exec/default/web/web?command=date&error=1&output=1'
c $F 'http.response' http.response.code '400'
F=real-kubelet-casigned-tls12.pcap
c $F 'tls.handshake.type==2' tls.handshake.version,tls.handshake.ciphersuite '0x0303|0xc02f'
y $F 'tls.handshake.type==11 && ip.src==10.20.1.6 && x509sat.uTF8String=="kubernetes" && x509sat.uTF8String=="system:nodes" && x509sat.uTF8String=="system:node:node2"'
c $F 'tls.handshake.type==11 && ip.src==10.20.1.6' x509ce.dNSName,x509ce.IPAddress.ipv4 'node2|10.20.1.6'
c $F 'tls.handshake.type==13' ip.src '10.20.1.6'
y $F 'tls.handshake.type==11 && ip.src==10.20.0.10 && x509sat.uTF8String=="system:masters" && x509sat.uTF8String=="kube-apiserver-kubelet-client"'
c $F 'http.request' http.request.uri '/containerLogs/default/web/web?tailLines=5'
F=real-kubelet-casigned-tls13.pcap
c $F 'tls.handshake.type==2' tls.handshake.extensions.supported_version '0x0304'
c $F 'tls.handshake.type==13' ip.src '10.20.1.6'
y $F 'tls.handshake.type==11 && ip.src==10.20.1.6 && x509sat.uTF8String=="system:node:node2"'
c $F 'http.request' http.request.uri '/containerLogs/default/web/web?tailLines=5 / /pods'
F=real-kubectl-client-cert.pcap
k $F 'tls.handshake.type==1 && ip.src==10.20.0.11 && tcp.dstport==6443' 6
c $F 'tls.handshake.type==2' tls.handshake.extensions.supported_version '0x0304'
n $F 'tls.handshake.extensions_server_name'
c $F 'tls.handshake.type==13' ip.src '10.20.0.10 / 10.20.1.6'
k $F 'tls.handshake.type==11 && ip.src==10.20.0.11 && x509sat.uTF8String=="kubernetes-admin" && x509sat.uTF8String=="system:masters"' 6
y $F 'http2.headers.user_agent=="kubectl/v1.32.4 (linux/amd64) kubernetes/4cb5f07" && http2.headers.path=="/api/v1/namespaces/default/pods?limit=500"'
y $F 'http2.headers.path=="/api?timeout=32s" && ip.src==10.20.0.11'
y $F 'http2.headers.path=="/api/v1/namespaces/default/pods/web/log?container=web&tailLines=5"'
c $F 'http.request && ip.src==10.20.0.11' http.request.method,http.upgrade 'GET|websocket / POST|SPDY/3.1'
c $F 'http.request && ip.src==10.20.0.10' http.request.uri,tcp.dstport '/containerLogs/default/web/web?tailLines=5|10250 / /exec/default/web/web?command=date&error=1&output=1|10250'
y $F 'tls.handshake.type==11 && ip.src==10.20.1.6 && x509sat.uTF8String=="system:node:node2"'
F=real-kubectl-token.pcap
c $F 'tls.handshake.type==1 && tcp.dstport==443' ip.src,ip.dst '10.244.1.7|10.96.0.1'
k $F 'tls.handshake.type==1 && tcp.dstport==443' 5
c $F 'tls.handshake.type==11 && ip.src==10.244.1.7' tls.handshake.certificates_length '0'
c $F 'http2.header.value matches "^Bearer [0-9a-f]{64}$"' ip.src '10.244.1.7'
c $F 'http.authorization matches "^Bearer [0-9a-f]{64}$"' http.upgrade 'websocket / SPDY/3.1'
y $F 'http2.headers.path=="/api/v1/namespaces/default/pods/web/log?container=web&tailLines=5"'
kubelet_pair $F
c $F 'tls.handshake.type==13' ip.src '10.96.0.1 / 10.20.1.5'
c $F 'http.request && ip.src==10.20.0.10' http.request.uri '/containerLogs/default/web/web?tailLines=5 / /exec/default/web/web?command=date&error=1&output=1'

F=mixed.pcap
k $F 'tcp.flags.syn==1 && tcp.flags.ack==0' 8
k $F 'tls.handshake.type==1' 4
k $F 'http.request' 9

wait
fail=0
for f in $(node -e 'for (const c of JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).captures) console.log(c.file)' "$D/EXPECTED.json"); do
  if [ -s "$T/$f" ]; then printf 'FAIL %s\n' "$f"; cat "$T/$f"; fail=1; else echo "ok $f"; fi
done
exit $fail
