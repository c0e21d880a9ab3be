#!/usr/bin/env bash
# The lab's fake cluster: one network namespace per host, each joined by a veth pair to a bridge
# in cw-net, where tcpdump listens. There is no route out: every namespace only knows the on-link
# 10.0.0.0/8 and fd00:20::/32 prefixes of the bridge. Sourced by make-captures.sh.
#
#   cw-cp    10.20.0.10  fd00:20::10  control plane 1: apiserver, konnectivity-server, etcd member,
#            also answers for 10.96.0.1 (the `kubernetes` service VIP, as a pod sees it before DNAT)
#   cw-cp2   10.20.0.11               control plane 2: second apiserver, scheduler, etcd member
#   cw-node1 10.20.1.5   fd00:20::105 worker with the kubelet's default self-signed serving pair
#   cw-node2 10.20.1.6                worker with a CA-signed (serverTLSBootstrap) serving cert
#   cw-pod   10.244.1.7               a pod on node1's pod CIDR

LAB_HOSTS=(cp cp2 node1 node2 pod)
declare -A LAB_V4=([cp]=10.20.0.10 [cp2]=10.20.0.11 [node1]=10.20.1.5 [node2]=10.20.1.6 [pod]=10.244.1.7)
declare -A LAB_V6=([cp]=fd00:20::10 [node1]=fd00:20::105)
LAB_BRIDGE=cwbr0

lab_up() {
  lab_down
  ip netns add cw-net
  ip -n cw-net link add "$LAB_BRIDGE" type bridge
  ip -n cw-net link set "$LAB_BRIDGE" up
  ip -n cw-net link set lo up
  local h
  for h in "${LAB_HOSTS[@]}"; do
    ip netns add "cw-$h"
    ip link add "cwv-$h" type veth peer name eth0 netns "cw-$h"
    ip link set "cwv-$h" netns cw-net
    ip -n cw-net link set "cwv-$h" master "$LAB_BRIDGE" up
    ip -n "cw-$h" link set lo up
    ip -n "cw-$h" link set eth0 up
    ip -n "cw-$h" addr add "${LAB_V4[$h]}/32" dev eth0
    ip -n "cw-$h" route add 10.0.0.0/8 dev eth0 src "${LAB_V4[$h]}"
    if [ -n "${LAB_V6[$h]:-}" ]; then
      ip -n "cw-$h" addr add "${LAB_V6[$h]}/128" dev eth0 nodad
      ip -n "cw-$h" -6 route add fd00:20::/32 dev eth0 src "${LAB_V6[$h]}"
    fi
  done
  ip -n cw-cp addr add 10.96.0.1/32 dev eth0
  # Wait until IPv6 link-local addresses exist, otherwise the first v6 packets go nowhere.
  sleep 1
}

lab_down() {
  local n
  for n in cw-net cw-cp cw-cp2 cw-node1 cw-node2 cw-pod; do
    ip netns del "$n" 2>/dev/null || true
  done
}

# on HOST CMD... : run a command inside a lab host's namespace.
on() { local h=$1; shift; ip netns exec "cw-$h" "$@"; }
