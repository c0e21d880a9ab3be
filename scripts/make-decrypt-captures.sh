#!/usr/bin/env bash
# Makes captures/decrypt/<name>.pcap + <name>.keylog: real TLS handshakes by OpenSSL 3 (s_server /
# s_client / curl) and Node.js (tls, scripts/decrypt-tls-peer.mjs), each key log written by the
# programs themselves, for the decryption proofs of issue 7 (test/tlsdecrypt). Also writes
# captures/decrypt/pki/*.crt (public certificates of a throwaway PKI; the keys live in a temporary
# directory removed at the end) and captures/decrypt/PROGRAMS.txt (what the programs themselves
# said they negotiated, the source of EXPECTED.json besides the scenario design).
# Needs root (ip netns, tcpdump). All traffic stays between two network namespaces made here
# (10.78.0.1 client, 10.78.0.2 server, one veth pair, no route out) and removed afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT=$ROOT/captures/decrypt
PEER="node $ROOT/scripts/decrypt-tls-peer.mjs"
[ "$(id -u)" -eq 0 ] || { echo "make-decrypt-captures.sh needs root (ip netns, tcpdump)" >&2; exit 2; }

C=cwdecC.$$; S=cwdecS.$$
CLI=10.78.0.1; SRV=10.78.0.2
TMP=$(mktemp -d /tmp/cw-decrypt.XXXXXX)
K=$TMP/keys
PIDS=()
CAP_PID=
# The bearer token sent inside TLS: the tests check that it never reaches any output.
TOKEN=cwdec-bearer-5f0c7a1e93b64d28a6e1c0d7b94f3a52

cleanup() {
  local p
  for p in "${PIDS[@]}" $CAP_PID; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}" $CAP_PID; do wait "$p" 2>/dev/null || true; done
  ip netns del "$C" 2>/dev/null || true
  ip netns del "$S" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT

mkdir -p "$OUT/pki" "$K" "$TMP/log"
rm -f "$OUT"/*.pcap "$OUT"/*.keylog "$OUT"/pki/*.crt

# ---- PKI: one CA (EC P-256), servers and clients in EC and RSA flavours.
ext() { printf '%s\n' "$@" > "$K/$NAME.ext"; }
newkey() {
  if [ "$1" = ec ]; then openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$K/$NAME.key" 2>/dev/null
  else openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$K/$NAME.key" 2>/dev/null; fi
}
NAME=ca; newkey ec
openssl req -new -x509 -key "$K/ca.key" -subj '/O=comms-watch/CN=decrypt-test-ca' -days 3650 -sha256 \
  -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign' -out "$OUT/pki/ca.crt"
# leaf NAME ec|rsa SUBJ EKU [SAN]
leaf() {
  NAME=$1; newkey "$2"
  ext 'basicConstraints=critical,CA:FALSE' 'keyUsage=critical,digitalSignature,keyEncipherment' "extendedKeyUsage=$4" \
    'authorityKeyIdentifier=keyid' ${5:+"subjectAltName=$5"}
  openssl req -new -key "$K/$NAME.key" -subj "$3" -out "$K/$NAME.csr"
  openssl x509 -req -in "$K/$NAME.csr" -CA "$OUT/pki/ca.crt" -CAkey "$K/ca.key" -set_serial "0x$(openssl rand -hex 8)" \
    -days 825 -sha256 -extfile "$K/$NAME.ext" -out "$OUT/pki/$NAME.crt" 2>/dev/null
}
SAN="DNS:decrypt-server.test,IP:$SRV"
leaf server-ec ec '/CN=decrypt-server.test' serverAuth "$SAN"
leaf server-rsa rsa '/CN=decrypt-server.test' serverAuth "$SAN"
leaf client-ec ec '/O=system:nodes/CN=system:node:decrypt-client' clientAuth
leaf client-rsa rsa '/O=system:masters/CN=kube-apiserver-kubelet-client' clientAuth
crt() { echo "$OUT/pki/$1.crt"; }
key() { echo "$K/$1.key"; }

# ---- Network: two namespaces, one veth pair.
ip netns add "$C"; ip netns add "$S"
ip link add vdc netns "$C" type veth peer name vds netns "$S"
ip -n "$C" link set lo up; ip -n "$S" link set lo up
ip -n "$C" addr add "$CLI/24" dev vdc; ip -n "$S" addr add "$SRV/24" dev vds
ip -n "$C" link set vdc up; ip -n "$S" link set vds up

# capture NAME PORT: tcpdump on the client's side of the veth.
capture() {
  NAME=$1; PORT=$2
  rm -f "$OUT/$NAME.keylog"
  ip netns exec "$C" tcpdump -i vdc --immediate-mode -U -s 0 -w "$OUT/$NAME.pcap" "tcp port $PORT" 2> "$TMP/log/$NAME.tcpdump" &
  CAP_PID=$!
  local i
  for i in $(seq 50); do grep -qs 'listening on' "$TMP/log/$NAME.tcpdump" && break; sleep 0.1; done
  echo "== $NAME" | tee -a "$TMP/programs"
}
# serve CMD...: a server in the server namespace; returns once PORT listens.
serve() {
  ip netns exec "$S" timeout 30 "$@" > "$TMP/log/$NAME.server" 2>&1 < /dev/null &
  PIDS+=($!)
  local i
  for i in $(seq 50); do ip netns exec "$S" ss -ltnH "sport = :$PORT" | grep -q . && return 0; sleep 0.1; done
  echo "server for $NAME did not start" >&2; return 1
}
# client CMD...: a client in the client namespace, bounded to 15 s.
client() {
  ip netns exec "$C" timeout 15 "$@" >> "$TMP/log/$NAME.client" 2>&1 || { echo "client of $NAME failed:" >&2; tail -20 "$TMP/log/$NAME.client" >&2; return 1; }
}
# sclient TEXT ARGS...: s_client typing TEXT, stdin held open a moment so that TLS 1.3 tickets arrive.
sclient() {
  local text=$1; shift
  (printf '%b' "$text"; sleep 1) | client openssl s_client -connect "$SRV:$PORT" "$@"
}
# finish: stop the servers and tcpdump, keep what the programs said they negotiated.
finish() {
  sleep 0.5
  local p
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  PIDS=()
  kill -INT "$CAP_PID"; wait "$CAP_PID" 2>/dev/null || true; CAP_PID=
  {
    grep -hE '^(New|Reused), |^Server Temp Key|^Peer signing digest|^Acceptable client certificate CA names|^No client certificate CA names sent|^Verify return code|^\* SSL connection using|^\* ALPN|^ *[0-9] s:|^/?O ?= ?comms-watch|^\{"side"' "$TMP/log/$NAME.client" || true
    grep -h '^{"side"' "$TMP/log/$NAME.server" | sed 's/^/server: /' || true
  } | tee -a "$TMP/programs"
  chmod 600 "$OUT/$NAME.keylog"
}
# s_server -HTTP sends a file as the whole response: a small apiserver-like answer (keeps the captures small).
mkdir -p "$TMP/www/api/v1"
BODY='{"kind":"NodeList","apiVersion":"v1","items":[]}'
printf 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' "${#BODY}" "$BODY" > "$TMP/www/api/v1/nodes"
sserver() { serve env -C "$TMP/www" openssl s_server -accept "$PORT" "$@" -HTTP; }
GET="GET /api/v1/nodes HTTP/1.1\r\nHost: decrypt-server.test\r\nUser-Agent: kubectl/v1.32.0\r\nAuthorization: Bearer $TOKEN\r\n\r\n"
node_server() { serve $PEER server "$1"; }
node_client() { client $PEER client "$1"; }
NODE_GET=$(printf '%b' "$GET" | node -e 'process.stdout.write(JSON.stringify(require("fs").readFileSync(0,"latin1")))')

# ---- TLS 1.3, OpenSSL.
capture o13-aes128-noauth 8443
sserver -naccept 1 -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256 -cert "$(crt server-ec)" -key "$(key server-ec)"
sclient "$GET" -servername decrypt-server.test -CAfile "$(crt ca)" -keylogfile "$OUT/$NAME.keylog"
finish

capture o13-aes256-mtls 8443
sserver -naccept 1 -tls1_3 -ciphersuites TLS_AES_256_GCM_SHA384 -cert "$(crt server-rsa)" -key "$(key server-rsa)" \
  -cert_chain "$(crt ca)" -Verify 1 -CAfile "$(crt ca)" -keylogfile "$OUT/$NAME.keylog"
sclient "$GET" -servername decrypt-server.test -CAfile "$(crt ca)" -cert "$(crt client-ec)" -key "$(key client-ec)" -cert_chain "$(crt ca)"
finish

capture o13-chacha-emptycert 8443
sserver -naccept 1 -tls1_3 -ciphersuites TLS_CHACHA20_POLY1305_SHA256 -cert "$(crt server-ec)" -key "$(key server-ec)" \
  -cert_chain "$(crt ca)" -verify 1 -CAfile "$(crt ca)"
sclient "$GET" -servername decrypt-server.test -CAfile "$(crt ca)" -keylogfile "$OUT/$NAME.keylog"
finish

# HelloRetryRequest: the client's only key share is X25519, the server accepts P-384 alone.
capture o13-hrr-mtls 8443
sserver -naccept 1 -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256 -groups P-384 -cert "$(crt server-ec)" -key "$(key server-ec)" \
  -cert_chain "$(crt ca)" -Verify 1 -CAfile "$(crt ca)"
sclient "$GET" -servername decrypt-server.test -groups X25519:P-384 -CAfile "$(crt ca)" -cert "$(crt client-rsa)" -key "$(key client-rsa)" -cert_chain "$(crt ca)" \
  -keylogfile "$OUT/$NAME.keylog"
finish

# Resumption: a full handshake saves its ticket (-sess_out), the second connection offers it as a PSK.
capture o13-resume 8443
sserver -naccept 2 -tls1_3 -ciphersuites TLS_AES_256_GCM_SHA384 -cert "$(crt server-ec)" -key "$(key server-ec)" -cert_chain "$(crt ca)"
sclient "$GET" -servername decrypt-server.test -CAfile "$(crt ca)" -keylogfile "$OUT/$NAME.keylog" -sess_out "$TMP/o13.sess"
sclient "$GET" -servername decrypt-server.test -CAfile "$(crt ca)" -keylogfile "$OUT/$NAME.keylog" -sess_in "$TMP/o13.sess"
finish

# KeyUpdate: s_client's K command asks for one with update_requested, so both directions change
# keys before the request is sent and answered.
capture o13-keyupdate-chacha 8443
sserver -naccept 1 -tls1_3 -ciphersuites TLS_CHACHA20_POLY1305_SHA256 -cert "$(crt server-ec)" -key "$(key server-ec)"
(printf 'K\n'; sleep 0.5; printf '%b' "$GET"; sleep 1) |
  client openssl s_client -connect "$SRV:$PORT" -servername decrypt-server.test -CAfile "$(crt ca)" -keylogfile "$OUT/$NAME.keylog"
finish

# ---- TLS 1.3, Node.js.
capture n13-aes256-mtls 9443
node_server "{\"listen\":\"$SRV:$PORT\",\"cert\":\"$(crt server-ec)\",\"key\":\"$(key server-ec)\",\"ca\":\"$(crt ca)\",\"requestCert\":true,\"rejectUnauthorized\":true,\"ciphers\":\"TLS_AES_256_GCM_SHA384\"}"
node_client "{\"connect\":\"$SRV:$PORT\",\"servername\":\"decrypt-server.test\",\"ca\":\"$(crt ca)\",\"cert\":\"$(crt client-ec)\",\"key\":\"$(key client-ec)\",\"ciphers\":\"TLS_AES_256_GCM_SHA384\",\"request\":$NODE_GET,\"keylog\":\"$OUT/$NAME.keylog\"}"
finish

capture n13-chacha-noauth 9443
node_server "{\"listen\":\"$SRV:$PORT\",\"cert\":\"$(crt server-rsa)\",\"key\":\"$(key server-rsa)\",\"ciphers\":\"TLS_CHACHA20_POLY1305_SHA256\",\"keylog\":\"$OUT/$NAME.keylog\"}"
node_client "{\"connect\":\"$SRV:$PORT\",\"servername\":\"decrypt-server.test\",\"ca\":\"$(crt ca)\",\"ciphers\":\"TLS_CHACHA20_POLY1305_SHA256\",\"request\":$NODE_GET}"
finish

capture n13-aes128-emptycert 9443
node_server "{\"listen\":\"$SRV:$PORT\",\"cert\":\"$(crt server-ec)\",\"key\":\"$(key server-ec)\",\"ca\":\"$(crt ca)\",\"requestCert\":true,\"rejectUnauthorized\":false,\"ciphers\":\"TLS_AES_128_GCM_SHA256\"}"
node_client "{\"connect\":\"$SRV:$PORT\",\"servername\":\"decrypt-server.test\",\"ca\":\"$(crt ca)\",\"ciphers\":\"TLS_AES_128_GCM_SHA256\",\"request\":$NODE_GET,\"keylog\":\"$OUT/$NAME.keylog\"}"
finish

capture n13-hrr-chacha 9443
node_server "{\"listen\":\"$SRV:$PORT\",\"cert\":\"$(crt server-rsa)\",\"key\":\"$(key server-rsa)\",\"ciphers\":\"TLS_CHACHA20_POLY1305_SHA256\",\"ecdhCurve\":\"P-384\"}"
node_client "{\"connect\":\"$SRV:$PORT\",\"servername\":\"decrypt-server.test\",\"ca\":\"$(crt ca)\",\"ciphers\":\"TLS_CHACHA20_POLY1305_SHA256\",\"ecdhCurve\":\"X25519:P-384\",\"request\":$NODE_GET,\"keylog\":\"$OUT/$NAME.keylog\"}"
finish

capture n13-resume-mtls 9443
node_server "{\"listen\":\"$SRV:$PORT\",\"cert\":\"$(crt server-ec)\",\"key\":\"$(key server-ec)\",\"ca\":\"$(crt ca)\",\"requestCert\":true,\"rejectUnauthorized\":true,\"ciphers\":\"TLS_AES_128_GCM_SHA256\",\"connections\":2}"
node_client "{\"connect\":\"$SRV:$PORT\",\"servername\":\"decrypt-server.test\",\"ca\":\"$(crt ca)\",\"cert\":\"$(crt client-rsa)\",\"key\":\"$(key client-rsa)\",\"ciphers\":\"TLS_AES_128_GCM_SHA256\",\"request\":$NODE_GET,\"resume\":true,\"keylog\":\"$OUT/$NAME.keylog\"}"
finish

# ---- TLS 1.2 with CLIENT_RANDOM (RSA server key for the ECDHE-RSA and RSA suites), an HTTP/1.1
# request with a bearer token inside.
capture t12-aes128gcm-curl 6443
sserver -naccept 1 -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 -cert "$(crt server-rsa)" -key "$(key server-rsa)"
SSLKEYLOGFILE="$OUT/$NAME.keylog" client curl -sS -v --tlsv1.2 --tls-max 1.2 --ciphers ECDHE-RSA-AES128-GCM-SHA256 --cacert "$(crt ca)" \
  -H "Authorization: Bearer $TOKEN" -H 'User-Agent: kubectl/v1.32.0' -o /dev/null "https://$SRV:$PORT/api/v1/nodes"
finish

capture t12-chacha-sclient 6443
sserver -naccept 1 -tls1_2 -cipher ECDHE-RSA-CHACHA20-POLY1305 -cert "$(crt server-rsa)" -key "$(key server-rsa)"
sclient "$GET" -servername decrypt-server.test -CAfile "$(crt ca)" -keylogfile "$OUT/$NAME.keylog"
finish

# CBC-HMAC with encrypt_then_mac (OpenSSL's default for CBC suites) ...
capture t12-cbc-sha256-etm-curl 6443
sserver -naccept 1 -tls1_2 -cipher ECDHE-RSA-AES128-SHA256 -cert "$(crt server-rsa)" -key "$(key server-rsa)"
SSLKEYLOGFILE="$OUT/$NAME.keylog" client curl -sS -v --tlsv1.2 --tls-max 1.2 --ciphers ECDHE-RSA-AES128-SHA256 --cacert "$(crt ca)" \
  -H "Authorization: Bearer $TOKEN" -H 'User-Agent: kubectl/v1.32.0' -o /dev/null "https://$SRV:$PORT/api/v1/nodes"
finish

# ... and the classic MAC-then-encrypt, with RSA key exchange.
capture t12-cbc-sha-mte-sclient 6443
sserver -naccept 1 -tls1_2 -cipher AES256-SHA -no_etm -cert "$(crt server-rsa)" -key "$(key server-rsa)"
sclient "$GET" -servername decrypt-server.test -CAfile "$(crt ca)" -no_etm -keylogfile "$OUT/$NAME.keylog"
finish

# TLS 1.2 resumption: the abbreviated handshake (server ChangeCipherSpec and Finished first, no Certificate).
capture t12-resume-gcm 6443
sserver -naccept 2 -tls1_2 -cipher ECDHE-RSA-AES256-GCM-SHA384 -cert "$(crt server-rsa)" -key "$(key server-rsa)"
sclient "$GET" -servername decrypt-server.test -CAfile "$(crt ca)" -keylogfile "$OUT/$NAME.keylog" -sess_out "$TMP/t12.sess"
sclient "$GET" -servername decrypt-server.test -CAfile "$(crt ca)" -keylogfile "$OUT/$NAME.keylog" -sess_in "$TMP/t12.sess"
finish

{
  echo "# What the programs themselves printed while scripts/make-decrypt-captures.sh recorded each capture"
  echo "# (s_client / s_server / curl -v lines about the session, and decrypt-tls-peer.mjs's JSON from Node's own API)."
  echo "# $(openssl version); node $(node --version); $(curl --version | head -1)"
  cat "$TMP/programs"
} > "$OUT/PROGRAMS.txt"
for f in "$OUT"/pki/*.crt; do
  printf '%s  %s\n' "$(basename "$f")" "$(openssl x509 -in "$f" -noout -fingerprint -sha256 | cut -d= -f2 | tr -d : | tr A-F a-f)"
done > "$OUT/pki/SHA256SUMS"
chown -R --reference="$ROOT" "$OUT" 2>/dev/null || true
ls -l "$OUT"
