// cwlab: the capture lab's Go peers, built with Go's crypto/tls and net/http like the real
// Kubernetes components. Stdlib only (built offline by the lab).
//
//	cwlab kubelet   -listen IP:PORT -host NAME [-cert F -key F] [-client-ca F] [-anonymous off|allow|deny]
//	                [-tls-min 1.2] [-tls-max 1.2] [-keylog F] [-selfsigned-out F]
//	cwlab apiserver -listen IP:PORT[,IP:PORT] -cert F -key F -client-ca F -token-file F -pod NAME -kubelet IP:PORT
//	                -kubelet-cert F -kubelet-key F [-kubelet-ca F] [-kubelet-tls-max 1.2] [-keylog F]
//	cwlab kubelet-get -cert F -key F [-ca F] [-tls-max 1.2] [-keylog F] URL...
//	cwlab tls-server -listen IP:PORT -cert F -key F [-client-ca F] [-token-file F] [-tls-min 1.0] [-tls-max 1.2] [-keylog F]
//	cwlab misbehave -listen IP:PORT -mode hang|reset|garbage
//	cwlab tls-get [-cert F -key F] [-ca F] [-token-file F] [-tls-min 1.2] [-tls-max 1.2] [-keylog F] URL...
package main

import (
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fail("usage: cwlab kubelet|apiserver|kubelet-get|tls-server|misbehave|tls-get ...")
	}
	switch os.Args[1] {
	case "kubelet":
		kubelet(os.Args[2:])
	case "apiserver":
		apiserver(os.Args[2:])
	case "kubelet-get":
		kubeletGet(os.Args[2:])
	case "tls-server":
		tlsServer(os.Args[2:])
	case "misbehave":
		misbehave(os.Args[2:])
	case "tls-get":
		tlsGet(os.Args[2:])
	default:
		fail("unknown mode " + os.Args[1])
	}
}
