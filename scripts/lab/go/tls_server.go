package main

// A bare HTTPS endpoint, e.g. an apiserver on :6443 that still takes TLS 1.0 and 1.1 (-tls-min):
// like kube-apiserver it asks for an optional client certificate when it has a client CA and
// accepts a bearer token; anything else gets the apiserver's 401 Status.

import (
	"crypto/subtle"
	"crypto/tls"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
)

func tlsServer(args []string) {
	fs := flag.NewFlagSet("tls-server", flag.ExitOnError)
	listen := fs.String("listen", "", "address to serve on")
	certFile := fs.String("cert", "", "serving certificate")
	keyFile := fs.String("key", "", "serving key")
	clientCA := fs.String("client-ca", "", "CA for optional x509 client authentication (empty: none requested)")
	tokenFile := fs.String("token-file", "", "the one accepted bearer token (empty: none)")
	tlsMin := fs.String("tls-min", "", "lowest TLS version (empty: Go's server default, TLS 1.0 in Go 1.19)")
	tlsMax := fs.String("tls-max", "", "highest TLS version")
	keylog := fs.String("keylog", "", "NSS key log file")
	check(fs.Parse(args), "flags")

	var token []byte
	if *tokenFile != "" {
		t, err := os.ReadFile(*tokenFile)
		check(err, "read token")
		token = []byte(strings.TrimSpace(string(t)))
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{loadPair(*certFile, *keyFile)},
		MinVersion: tlsVersion(*tlsMin), MaxVersion: tlsVersion(*tlsMax), KeyLogWriter: keyLog(*keylog)}
	if *clientCA != "" {
		cfg.ClientCAs = loadPool(*clientCA)
		cfg.ClientAuth = tls.VerifyClientCertIfGiven
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		ok := len(r.TLS.VerifiedChains) > 0 ||
			len(token) > 0 && strings.HasPrefix(auth, "Bearer ") && subtle.ConstantTimeCompare([]byte(auth[len("Bearer "):]), token) == 1
		if !ok {
			status(w, http.StatusUnauthorized, "Unauthorized")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"major":"1","minor":"32","gitVersion":"v1.32.4"}`+"\n")
	})
	srv := &http.Server{Addr: *listen, TLSConfig: cfg, Handler: h}
	check(srv.ListenAndServeTLS("", ""), "serve")
}
