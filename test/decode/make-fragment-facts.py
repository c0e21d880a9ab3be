#!/usr/bin/env python3
"""Writes test/decode/fragment-facts.json from tshark's view of captures/ip-fragments.pcap.
Run from the project root after scripts/make-frag-captures.sh: python3 test/decode/make-fragment-facts.py"""
import json, subprocess

CAP = 'captures/ip-fragments.pcap'
udp_cmd = ['tshark', '-n', '-r', CAP, '-Y', 'udp && !icmp && !icmpv6', '-T', 'fields', '-E', 'occurrence=f',
           '-e', 'frame.number', '-e', 'ip.src', '-e', 'ipv6.src', '-e', 'udp.srcport', '-e', 'udp.dstport', '-e', 'udp.length']
frag_cmd = ['tshark', '-n', '-r', CAP, '-Y', 'ip.flags.mf == 1 || ip.frag_offset > 0 || ipv6.fraghdr', '-T', 'fields', '-e', 'frame.number']
udp = []
for line in subprocess.run(udp_cmd, capture_output=True, text=True, check=True).stdout.splitlines():
    n, s4, s6, sp, dp, ln = line.split('\t')
    udp.append({'frame': int(n), 'src': s4 or s6, 'srcPort': int(sp), 'dstPort': int(dp), 'udpLength': int(ln)})
frags = len(subprocess.run(frag_cmd, capture_output=True, text=True, check=True).stdout.split())
with open('test/decode/fragment-facts.json', 'w') as fh:
    json.dump({'capture': CAP, 'udpCommand': ' '.join(udp_cmd), 'fragmentCommand': ' '.join(frag_cmd),
               'udp': udp, 'fragmentFrames': frags}, fh, indent=1)
    fh.write('\n')
