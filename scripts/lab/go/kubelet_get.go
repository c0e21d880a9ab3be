package main

// The apiserver's kubelet client on its own: GET each URL with the apiserver-kubelet-client
// certificate, as kube-apiserver does for logs and exec, verifying the kubelet only with a CA.

import (
	"flag"
	"fmt"
	"io"
	"os"
)

func kubeletGet(args []string) {
	fs := flag.NewFlagSet("kubelet-get", flag.ExitOnError)
	certFile := fs.String("cert", "", "client certificate")
	keyFile := fs.String("key", "", "client key")
	ca := fs.String("ca", "", "CA to verify the kubelet with (empty: not verified)")
	tlsMax := fs.String("tls-max", "", "highest TLS version")
	keylog := fs.String("keylog", "", "NSS key log file")
	check(fs.Parse(args), "flags")
	client := kubeletClient(*certFile, *keyFile, *ca, *tlsMax, keyLog(*keylog))
	for _, u := range fs.Args() {
		resp, err := client.Get(u)
		check(err, "GET "+u)
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		check(err, "read "+u)
		fmt.Fprintf(os.Stdout, "%s %d %d bytes\n", u, resp.StatusCode, len(body))
	}
}
