#!/usr/bin/env bash
# Builds the lab cluster (netns.sh), its PKI (pki.sh), then records every scenario under
# scenarios/ into captures/<name>.pcap (+ .keylog where TLS is used) and merges a few of them
# into captures/mixed.pcap. Needs root (network namespaces, tcpdump). CI does not run this:
# the committed captures are what the tests read; verify-captures.sh checks them with tshark.
# Usage: sudo scripts/lab/make-captures.sh [SCENARIO-NAME-SUBSTRING...]   (e.g. `real-` for the
# real-component scenarios only)
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
export LAB=${CW_LAB_DIR:-/tmp/cw-lab}
export PKI=$LAB/pki
export OUT=${CW_LAB_OUT:-$ROOT/captures}  # another directory for a dry run
export NODE_PEERS=$HERE/node
[ "$(id -u)" -eq 0 ] || { echo "make-captures.sh needs root (ip netns, tcpdump)" >&2; exit 2; }

source "$HERE/netns.sh"
source "$HERE/lib.sh"
trap lab_cleanup EXIT INT TERM

mkdir -p "$LAB/log" "$OUT/pki"
rm -f "$LAB"/log/*
selected=()
for f in "$HERE"/scenarios/*.sh; do
  if [ $# -gt 0 ]; then
    keep=0; for s in "$@"; do [[ $f == *"$s"* ]] && keep=1; done
    [ $keep -eq 1 ] || continue
  fi
  selected+=("$f")
done
# The real-component scenarios (*-real-*) bring their own PKI (real_lab in lib.sh): recording only
# them must not re-issue captures/pki, which the other captures were recorded with.
for f in "${selected[@]}"; do
  [[ $f == *-real-* ]] && continue
  [ -f "$PKI/ca.key" ] || bash "$HERE/pki.sh" "$PKI" "$OUT/pki"
  break
done
bash "$HERE/ssh-keys.sh" "$LAB/ssh"
mkdir -p /run/sshd
lab_up

for f in "${selected[@]}"; do source "$f"; done

# Rebuilt after every run so that it always matches its parts.
(
  cd "$OUT"
  mixed=(node-apiserver-mtls-tls13 kubelet-selfsigned-no-client-auth kubelet-readonly apiserver-cleartext-token
         konnectivity-agent-token etcd-mtls ssh-tunnel-strong proxy-cleartext)
  mergecap -F pcap -w "$OUT/mixed.pcap" "${mixed[@]/%/.pcap}"
  : > "$OUT/mixed.keylog"
  for m in "${mixed[@]}"; do [ -f "$OUT/$m.keylog" ] && cat "$OUT/$m.keylog" >> "$OUT/mixed.keylog"; done
)
# A capture is written as root; hand it back to whoever owns the checkout.
chown -R --reference="$ROOT" "$OUT" 2>/dev/null || true
du -sh "$OUT"
