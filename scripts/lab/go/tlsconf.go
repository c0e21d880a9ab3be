package main

// TLS settings shared by the lab's Go peers: certificate loading, the trust pool, version bounds,
// and the NSS key log (tls.Config.KeyLogWriter), which is how the captures of
// Go peers are decryptable.

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"os"
)

func loadPair(certFile, keyFile string) tls.Certificate {
	c, err := tls.LoadX509KeyPair(certFile, keyFile)
	check(err, "load "+certFile)
	return c
}

func loadPool(file string) *x509.CertPool {
	pem, err := os.ReadFile(file)
	check(err, "read "+file)
	p := x509.NewCertPool()
	if !p.AppendCertsFromPEM(pem) {
		fail("no certificate in " + file)
	}
	return p
}

// tlsVersion maps "1.0" .. "1.3" to Go's constants; "" keeps Go's default, which for Go 1.19 is
// TLS 1.3 as the ceiling and, on a server, TLS 1.0 as the floor (clients default to 1.2).
func tlsVersion(v string) uint16 {
	switch v {
	case "":
		return 0
	case "1.0":
		return tls.VersionTLS10
	case "1.1":
		return tls.VersionTLS11
	case "1.2":
		return tls.VersionTLS12
	case "1.3":
		return tls.VersionTLS13
	}
	fail("unknown TLS version " + v)
	return 0
}

// keyLog opens the NSS key log for appending: the lab's Go processes share one file per capture.
func keyLog(file string) io.Writer {
	if file == "" {
		return nil
	}
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	check(err, "open key log")
	return f
}

func check(err error, what string) {
	if err != nil {
		fail(fmt.Sprintf("%s: %v", what, err))
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "cwlab:", msg)
	os.Exit(1)
}
