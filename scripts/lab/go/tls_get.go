package main

// A Kubernetes-style HTTPS client for any lab endpoint: GET each URL, with a client certificate
// and a bearer token when given, verifying the server only with -ca, and report the status and
// the negotiated TLS version.

import (
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

func tlsGet(args []string) {
	fs := flag.NewFlagSet("tls-get", flag.ExitOnError)
	certFile := fs.String("cert", "", "client certificate (empty: none)")
	keyFile := fs.String("key", "", "client key")
	ca := fs.String("ca", "", "CA to verify the server with (empty: not verified)")
	tokenFile := fs.String("token-file", "", "bearer token to send (empty: none)")
	tlsMin := fs.String("tls-min", "", "lowest TLS version")
	tlsMax := fs.String("tls-max", "", "highest TLS version")
	keylog := fs.String("keylog", "", "NSS key log file")
	check(fs.Parse(args), "flags")

	cfg := &tls.Config{MinVersion: tlsVersion(*tlsMin), MaxVersion: tlsVersion(*tlsMax), KeyLogWriter: keyLog(*keylog)}
	if *certFile != "" {
		cfg.Certificates = []tls.Certificate{loadPair(*certFile, *keyFile)}
	}
	if *ca != "" {
		cfg.RootCAs = loadPool(*ca)
	} else {
		cfg.InsecureSkipVerify = true
	}
	var token string
	if *tokenFile != "" {
		t, err := os.ReadFile(*tokenFile)
		check(err, "read token")
		token = strings.TrimSpace(string(t))
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}, Timeout: 5 * time.Second}
	for _, u := range fs.Args() {
		req, err := http.NewRequest(http.MethodGet, u, nil)
		check(err, "request "+u)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		check(err, "GET "+u)
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		check(err, "read "+u)
		fmt.Fprintf(os.Stdout, "%s %d %s %d bytes\n", u, resp.StatusCode, versionName(resp.TLS.Version), len(body))
	}
}

func versionName(v uint16) string {
	switch v {
	case tls.VersionTLS10:
		return "TLSv1.0"
	case tls.VersionTLS11:
		return "TLSv1.1"
	case tls.VersionTLS12:
		return "TLSv1.2"
	case tls.VersionTLS13:
		return "TLSv1.3"
	}
	return fmt.Sprintf("0x%04x", v)
}
