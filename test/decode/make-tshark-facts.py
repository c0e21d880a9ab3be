#!/usr/bin/env python3
"""Writes test/decode/tshark-facts.json: what tshark decodes from selected corpus captures.

Run from the project root: python3 test/decode/make-tshark-facts.py
Each record keeps the exact tshark command lines its figures came from.
"""
import json, subprocess

FILES = [
    'zeek/link/http-vlan-0.pcap', 'zeek/link/http-qinq-0.pcap', 'zeek/link/q-in-q.pcap',
    'zeek/link/vlan-pcp-dei.pcapng', 'arkime/twovlan.pcap',
    'zeek/tls/irc-starttls.pcap', 'zeek/link/linuxsll-arp.pcap',
    'zeek/tls/openjdk-25.0.2-zeek.org.pcap', 'suricata-verify/decode-sll2-http.pcap', 'zeek/link/linux_dlt_sll2.pcap',
    'zeek/tls/ml-dsa-44-cert.pcap', 'suricata-verify/tls-alpn-log-detect-02.pcap',
    'arkime/ssl-selfsign.pcap', 'zeek/http/connect-with-header.pcap', 'arkime/tls-alpn-h2.pcap',
    'zeek/link/nflog-http.pcap', 'zeek/http/ipv6-http-atomic-frag.pcap', 'zeek/link/tcp-http-with-padding.pcap',
    'arkime/bigendian.pcap', 'zeek/http/get-to-ssh-server.pcap', 'zeek/link/pcapng-multi-interface.pcapng',
    'arkime/v6-http.pcap', 'zeek/tls/certificate-request-failed.pcap', 'ja4/latest.pcapng',
]
FIELDS = ['frame.protocols', 'frame.time_epoch', 'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst',
          'tcp.srcport', 'tcp.dstport', 'tcp.len', 'udp.srcport', 'udp.dstport', 'udp.length',
          'vlan.id', 'ipv6.fraghdr', 'frame.interface_id']


def tshark(path):
    cmd = ['tshark', '-n', '-o', 'tcp.desegment_tcp_streams:FALSE', '-r', path, '-T', 'fields',
           '-E', 'separator=/t', '-E', 'occurrence=f']
    for f in FIELDS:
        cmd += ['-e', f]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return cmd, [dict(zip(FIELDS, line.split('\t'))) for line in out.splitlines()]


def main():
    records = []
    for rel in FILES:
        cmd, rows = tshark('../shared/corpus/' + rel)
        c = {'tcp': 0, 'udp': 0, 'icmp': 0, 'vlanFrames': 0, 'fragHeaderFrames': 0, 'tcpPayloadBytes': 0}
        first = None
        for r in rows:
            layers = r['frame.protocols'].split(':')
            if r['vlan.id']:
                c['vlanFrames'] += 1
            if r['ipv6.fraghdr']:
                c['fragHeaderFrames'] += 1
            if 'icmp' in layers or 'icmpv6' in layers:
                c['icmp'] += 1
                continue
            is_tcp = 'tcp' in layers
            is_udp = not is_tcp and 'udp' in layers
            if is_tcp:
                c['tcp'] += 1
                c['tcpPayloadBytes'] += int(r['tcp.len'] or 0)
            elif is_udp:
                c['udp'] += 1
            if (is_tcp or is_udp) and first is None:
                p = 'tcp' if is_tcp else 'udp'
                first = {
                    'src': r['ip.src'] or r['ipv6.src'], 'dst': r['ip.dst'] or r['ipv6.dst'],
                    'srcPort': int(r[p + '.srcport']), 'dstPort': int(r[p + '.dstport']),
                    'l4': p, 'vlanId': int(r['vlan.id']) if r['vlan.id'] else None,
                }
        records.append({
            'path': rel, 'packets': len(rows), 'firstTimeEpoch': rows[0]['frame.time_epoch'] if rows else None,
            'interfaces': sorted({int(r['frame.interface_id'] or 0) for r in rows}),
            **c, 'firstTransport': first, 'command': ' '.join(cmd),
            'counting': 'frames whose frame.protocols contains icmp/icmpv6 count as icmp only; else tcp, else udp',
        })
    ver = subprocess.run(['tshark', '--version'], capture_output=True, text=True).stdout.splitlines()[0]
    with open('test/decode/tshark-facts.json', 'w') as fh:
        json.dump({'tshark': ver, 'files': records}, fh, indent=1)
        fh.write('\n')


main()
