#!/usr/bin/env python3
"""Writes tshark-conv.json: tshark's TCP conversation figures for corpus captures (run from the project root).

Per file it records the exact commands and, per TCP conversation:
  from `tshark -r F -q -z conv,tcp`: both endpoints, frames each way ("->" = left to right);
  from `tshark -r F -T fields -e tcp.stream -e ip.src -e ipv6.src -e tcp.srcport -e tcp.len`: TCP payload bytes each way.
tshark 4.0.17, default preferences.
"""
import json, re, subprocess, sys
from collections import defaultdict

FILES = sys.argv[1:]
out = {"tool": "tshark 4.0.17", "files": []}
for f in FILES:
    path = "../shared/corpus/" + f
    conv_cmd = ["tshark", "-r", path, "-q", "-z", "conv,tcp"]
    text = subprocess.run(conv_cmd, capture_output=True, text=True, check=True).stdout
    convs = []
    for line in text.splitlines():
        m = re.match(r"^(\S+)\s+<->\s+(\S+)\s+(\d+)\s+\d+\s+\S+\s+(\d+)\s+\d+\s+\S+\s+(\d+)", line)
        if m:
            convs.append({"a": m.group(1), "b": m.group(2), "framesBtoA": int(m.group(3)), "framesAtoB": int(m.group(4))})
    fields_cmd = ["tshark", "-r", path, "-T", "fields", "-E", "separator=,", "-e", "tcp.stream", "-e", "ip.src",
                  "-e", "ipv6.src", "-e", "tcp.srcport", "-e", "tcp.len", "-Y", "tcp"]
    rows = subprocess.run(fields_cmd, capture_output=True, text=True, check=True).stdout
    payload = defaultdict(lambda: defaultdict(int))
    for r in rows.splitlines():
        stream, src4, src6, sport, tlen = r.split(",")[:5]
        src = (src4 or src6).split(",")[0]
        ep = ("[%s]:%s" % (src, sport)) if ":" in src else ("%s:%s" % (src, sport))
        payload[int(stream)][ep] += int(tlen or 0)
    streams = [dict(v) for _, v in sorted(payload.items())]
    out["files"].append({"path": f, "conv_command": " ".join(conv_cmd), "fields_command": " ".join(fields_cmd),
                         "conversations": convs, "payload_by_stream": streams})
json.dump(out, open("test/pipeline/data/tshark-conv.json", "w"), indent=1)
