#!/usr/bin/env bash
# Makes captures/ip-fragments.pcap: real IPv4 and IPv6 UDP datagrams larger than the link MTU, fragmented by
# the Linux kernel, captured by tcpdump on a veth pair between two network namespaces made here and removed after.
# Needs root (ip netns). No traffic leaves the namespaces (10.77.0.0/24, fd00:77::/64, no routes out).
set -euo pipefail
cd "$(dirname "$0")/.."
out=captures/ip-fragments.pcap
mkdir -p captures
A=cwfragA.$$; B=cwfragB.$$
cleanup() { ip netns del "$A" 2>/dev/null || true; ip netns del "$B" 2>/dev/null || true; }
trap cleanup EXIT
ip netns add "$A"; ip netns add "$B"
ip link add vfa netns "$A" type veth peer name vfb netns "$B"
ip -n "$A" link set vfa mtu 1280 up; ip -n "$B" link set vfb mtu 1280 up
ip -n "$A" addr add 10.77.0.1/24 dev vfa; ip -n "$B" addr add 10.77.0.2/24 dev vfb
ip -n "$A" addr add fd00:77::1/64 dev vfa nodad; ip -n "$B" addr add fd00:77::2/64 dev vfb nodad
# A listener on B so the datagrams are consumed (no ICMP port unreachable in the capture).
ip netns exec "$B" python3 -c '
import socket, select
s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s4.bind(("10.77.0.2", 5000))
s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s6.bind(("fd00:77::2", 5000))
while select.select([s4, s6], [], [], 4)[0]:
    for s in select.select([s4, s6], [], [], 0)[0]: s.recv(65535)
' &
listener=$!
ip netns exec "$A" tcpdump -i vfa -s 0 -U -w "$out" 'udp or (ip[6:2] & 0x3fff != 0) or ip6' 2>/dev/null &
dump=$!
sleep 1
ip netns exec "$A" python3 -c '
import socket, time
s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
for i, n in enumerate((3000, 1300, 5000, 200, 9000)):
    s4.sendto(bytes((i + j) & 255 for j in range(n)), ("10.77.0.2", 5000))
    s6.sendto(bytes((i * 7 + j) & 255 for j in range(n)), ("fd00:77::2", 5000))
    time.sleep(0.05)
'
sleep 1
kill "$dump"; wait "$dump" 2>/dev/null || true
wait "$listener" 2>/dev/null || true
echo "wrote $out"
