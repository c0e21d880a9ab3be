#!/usr/bin/env bash
# Installs what the OS must provide for comms-watch's tests, capture lab and benchmark.
# Offline analysis itself needs only Node.js 20; everything here is for live capture,
# the lab (real OpenSSL / OpenSSH / curl peers), tshark cross-checks and receivers.
# make and g++ (with python3) let npm ci build the optional pcap module that live capture uses.
set -euo pipefail
need=(libpcap-dev tcpdump tshark tcpreplay openssl openssh-server openssh-client curl tmux
      iproute2 time prometheus prometheus-alertmanager python3 golang-go etcd-server etcd-client
      chromium debootstrap ndpi-bin make g++)
# kubectl: Debian's kubernetes-client unless a kubectl is already installed (a newer one may be).
command -v kubectl >/dev/null 2>&1 || need+=(kubernetes-client)
missing=()
for p in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
  apt-get update -qq
  # ndpi-bin is only a benchmark reference; do not fail the set-up when a mirror lacks it.
  apt-get install -y -qq --no-install-recommends "${missing[@]/ndpi-bin/}" >/dev/null
  apt-get install -y -qq --no-install-recommends ndpi-bin >/dev/null 2>&1 || true
fi
# Debian starts these daemons on install; the tests start their own instances on loopback.
for s in prometheus prometheus-alertmanager prometheus-node-exporter ssh etcd; do
  systemctl stop "$s" 2>/dev/null || service "$s" stop 2>/dev/null || true
done
# sshd (the SSH tests run their own) needs its privilege separation directory; the stopped service
# no longer provides it. The tests create it too: /run is emptied at every boot.
install -d -m 0755 /run/sshd
echo "system packages ready"
