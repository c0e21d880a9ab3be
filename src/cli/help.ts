/** The --help text: written like a man page, with examples a user can paste. */
export const MAIN_HELP = `comms-watch - which Kubernetes node <-> control-plane paths can be attacked on this network

USAGE
  sudo comms-watch [watch] [-i IFACE] [-f BPF] [--config F] [--ca F] [--keylog F]
                           [--webhook URL] [--json | --no-tui] [--metrics ADDR]
  comms-watch analyze FILE... [--config F] [--ca F] [--keylog F] [--json]
                           [--webhook URL] [--fail-on SEVERITY] [--html FILE] [--probe]
  comms-watch probe HOST:PORT... [--path P] [--sni NAME] [--ca F] [--json] [--probe-dry-run]
  comms-watch help [analyze|watch|alerts]

DESCRIPTION
  comms-watch reads TCP traffic (live with libpcap, or from pcap / pcapng files), follows every
  connection, dissects TLS, SSH, HTTP/1.x, HTTP CONNECT, HTTP/2 and gRPC, and decides which
  Kubernetes communication path each connection is (node-apiserver, apiserver-kubelet, etcd,
  konnectivity-agent, ...). Rules then say which paths are unsafe on an untrusted network and
  why: cleartext, a kubelet certificate nobody can verify, missing client authentication,
  legacy TLS, weak SSH algorithms, expired or untrusted certificates.

  No secret ever reaches the output: bearer tokens and passwords are shown as their kind,
  length and a short SHA-256 prefix.

COMMANDS
  watch (default)   Live capture on this node. A terminal dashboard when stdout is a terminal,
                    JSON lines otherwise (DaemonSet mode).
  analyze FILE...   Offline analysis of pcap / pcapng files ("-" reads standard input).
  probe HOST:PORT.. Active verification of the named servers (see PROBING); the path comes
                    from --path, else the port (10250 kubelet, 2379/2380 etcd, 8132/8091
                    Konnectivity, anything else an apiserver).

COMMON OPTIONS
  --config F        Cluster model (YAML): apiservers, controlPlane, nodes, podCIDRs,
                    serviceCIDRs, konnectivityServers, trustBundles. Optional.
  --ca F            A trust bundle (PEM) to verify server chains against. Repeatable.
  --from-node       Also read this node's Kubernetes files (never a private key): kubelet
                    kubeconfig, KubeletConfiguration, the kubelet's serving certificate,
                    kube-apiserver / etcd / Konnectivity static pods (kubeadm, k3s, RKE2).
                    On by default under watch; --no-from-node turns it off.
  --node-root DIR   Prefix for every node path (e.g. /host in a DaemonSet); implies --from-node.
  --node-layout L   auto (default), kubeadm, k3s or rke2.
  --kubelet-config F, --kubelet-cert F, --apiserver-manifest F, --etcd-manifest F
                    Override one node file (a node path, under --node-root).
  --node-address IP This node's address (repeatable), to join its files with traffic.
  --keylog F        TLS key log (NSS SSLKEYLOGFILE format) to see inside TLS 1.3 handshakes.
                    Repeatable. Key logs inside pcapng files are used automatically.
  --decrypt-app     With key logs, also dissect application data (HTTP/2, gRPC, HTTP/1).
  --max-flows N     Connections and UDP flows tracked at once (default 200000, about 6 KiB
                    each); past it the least recently seen go first, counted as flows_evicted.
  --threads N       Shards: connections are spread over N worker threads by their flow hash,
                    each judged wholly in one; one place merges findings, counts and outputs.
                    Default: one per core, at most 4, from 3 cores on; 1 on 2 cores (where 2
                    shards measured slower); 1 for inputs under 64 MB and with --probe. The
                    records are the same, in the same order, whatever N.
                    The flow cap and the reassembly budgets are shared out among the shards.
  --json            JSON lines on stdout: "connection", "finding", "anomaly", "summary" records
                    (and "node" with --from-node).
  --no-color        No colours (NO_COLOR in the environment does the same).

PROBING (opt-in; nothing is ever sent without --probe or the probe command)
  --probe           Verify what the wire hid (TLS 1.3 hides certificates and the certificate
                    request) by connecting to servers seen as servers of classified paths
                    (apiserver, kubelet, etcd, Konnectivity): one TLS handshake without any
                    client certificate (the chain, whether a client certificate is requested
                    and its CA names), one handshake each offering only TLS 1.0, 1.1, 1.2, 1.3,
                    and for a kubelet one GET /pods without credentials whose status code alone
                    is kept. Never a scan: only servers the traffic showed, each at most once
                    per --probe-interval, 4 at a time, --probe-rate connections a second in all.
                    Findings resting on a probe say "source": "probe"; records carry tls.probe.
  --probe-dry-run   Print what would be probed and what would be sent; send nothing.
  --probe-timeout S Per probe connection (default 3).
  --probe-rate N    New probe connections a second, over all servers (default 5).
  --probe-interval D  watch: each server at most once per D (default 6h; 1m to 30d).

ANALYZE OPTIONS
  --fail-on SEV     Exit 3 when a finding at or above SEV exists
                    (critical, high, medium, low, info). Made for CI.
  --html FILE       Also write the report as one self-contained HTML page: the path map of the
                    Kubernetes page (control plane and nodes, one arrow per observed path coloured
                    by verdict), the findings, each path's chains, client auth, SSH algorithms and
                    HTTP requests. No script, nothing fetched; opens in any browser, offline.

WATCH OPTIONS
  -i IFACE          Interface to capture on (default: the default route's, else "any").
  -f BPF            Capture filter (default: "tcp").
  --no-tui          JSON lines even on a terminal.
  --metrics ADDR    Serve Prometheus metrics on ADDR (e.g. 127.0.0.1:9469).
  --user U          Drop privileges to U after opening the capture (default: nobody;
                    with trimmed capabilities that needs CAP_SETUID and CAP_SETGID).
  --snaplen N       Bytes kept per packet (default 65535).
  --buffer-size MB  Kernel capture buffer (default 64).
  --promisc         Put the interface in promiscuous mode (off by default).

ALERT OPTIONS
  --webhook URL            POST each new finding (and count updates) to URL. Repeatable.
  --webhook-format FMT     json (default), slack or alertmanager.
  --webhook-secret-file F  Sign bodies: X-Comms-Watch-Signature: sha256=<HMAC-SHA256 hex>.
  --webhook-ca F           Trust this CA for an https:// receiver.
  --webhook-timeout S      Per request, and how long analyze waits to deliver (default 30).
  --spool-dir DIR          Where undelivered alerts wait (they survive restarts).

EXIT STATUS (analyze)
  0  analysis complete (whatever it found), unless --fail-on matched
  2  usage error, or an unreadable / malformed capture (one line on stderr names the file
     and the byte offset; everything before the damage was still analysed and reported)
  3  --fail-on matched a finding

EXAMPLES
  Take a capture on a node, analyse it elsewhere:
    sudo tcpdump -i any -w node.pcap 'tcp port 6443 or tcp port 10250 or tcp port 2379'
    comms-watch analyze node.pcap --config cluster.yaml --ca ca.crt

  Fail a CI job on anything high or worse, JSON for the artefacts:
    comms-watch analyze lab.pcapng --json --fail-on high > findings.jsonl

  A page for the security review, beside the terminal report:
    comms-watch analyze node1.pcap --config cluster.yaml --html node1-report.html

  Stream a remote capture:
    ssh node1 sudo tcpdump -i any -U -w - tcp | comms-watch analyze -

  Live on a node, alerts to Alertmanager:
    sudo comms-watch --webhook http://alertmanager:9093 --webhook-format alertmanager
`;
