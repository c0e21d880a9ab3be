package main

// The kubelet's API server on :10250 as kubelet/server does it: its serving certificate is either
// --tls-cert-file (here the CA-signed serverTLSBootstrap one) or, without one, the pair the kubelet
// makes at start-up with client-go's cert.GenerateSelfSignedCertKey(hostname, nil, nil); with a
// client CA (--client-ca-file) it asks for a client certificate (tls.RequestClientCert) and
// checks it itself, as its x509 authenticator does. A request it cannot authenticate gets 401,
// unless anonymous auth is on (-anonymous allow|deny): then it is system:anonymous, which the
// authorizer lets through (allow: --authorization-mode=AlwaysAllow, the kubelet's own default) or
// refuses with the kubelet's 403 text (deny: Webhook mode, where the apiserver denies it).

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"strings"
	"time"
)

func kubelet(args []string) {
	fs := flag.NewFlagSet("kubelet", flag.ExitOnError)
	listen := fs.String("listen", "", "address to serve on")
	host := fs.String("host", "", "the node's hostname")
	certFile := fs.String("cert", "", "serving certificate (empty: self-signed pair made now)")
	keyFile := fs.String("key", "", "serving key")
	clientCA := fs.String("client-ca", "", "CA for x509 client authentication (empty: none requested)")
	tlsMax := fs.String("tls-max", "", "highest TLS version")
	tlsMin := fs.String("tls-min", "", "lowest TLS version (empty: Go's server default, TLS 1.0 in Go 1.19)")
	anonymous := fs.String("anonymous", "off", "off: 401 without a client cert; allow / deny: anonymous auth, authorized or not")
	keylog := fs.String("keylog", "", "NSS key log file")
	selfOut := fs.String("selfsigned-out", "", "where to write the public part of a self-signed chain")
	check(fs.Parse(args), "flags")
	if *anonymous != "off" && *anonymous != "allow" && *anonymous != "deny" {
		fail("unknown -anonymous " + *anonymous)
	}

	var pair tls.Certificate
	if *certFile != "" {
		pair = loadPair(*certFile, *keyFile)
	} else {
		pair = selfSigned(*host, *selfOut)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tlsVersion(*tlsMin), MaxVersion: tlsVersion(*tlsMax), KeyLogWriter: keyLog(*keylog)}
	var roots *x509.CertPool
	if *clientCA != "" {
		roots = loadPool(*clientCA)
		// cmd/kubelet/app/server.go sets ClientCAs too, so its CertificateRequest names the CA.
		cfg.ClientCAs = roots
		cfg.ClientAuth = tls.RequestClientCert
	}
	srv := &http.Server{Addr: *listen, TLSConfig: cfg, Handler: kubeletHandler(roots, *anonymous)}
	check(srv.ListenAndServeTLS("", ""), "serve")
}

// kubeletHandler answers the paths the apiserver uses: /containerLogs, /exec (which needs an
// upgrade the lab does not do), /pods.
func kubeletHandler(roots *x509.CertPool, anonymous string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user := "system:anonymous"
		if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 && roots != nil {
			inter := x509.NewCertPool()
			for _, c := range r.TLS.PeerCertificates[1:] {
				inter.AddCert(c)
			}
			leaf := r.TLS.PeerCertificates[0]
			if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err == nil {
				user = leaf.Subject.CommonName
			}
		}
		p := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")
		if user == "system:anonymous" {
			switch anonymous {
			case "off":
				http.Error(w, "Unauthorized", http.StatusUnauthorized)
				return
			case "deny":
				// kubelet/server/auth.go: the paths served here all map to nodes/proxy.
				http.Error(w, fmt.Sprintf("Forbidden (user=%s, verb=%s, resource=nodes, subresource=proxy)", user, verb(r.Method)), http.StatusForbidden)
				return
			}
		}
		switch {
		case p[0] == "containerLogs" && len(p) == 4:
			fmt.Fprintf(w, "%s listening on :8080\n%s GET / 200\n", time.Now().UTC().Format(time.RFC3339), time.Now().UTC().Format(time.RFC3339))
		case p[0] == "exec" && len(p) == 4:
			http.Error(w, "Upgrade request required", http.StatusBadRequest)
		case p[0] == "pods":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"kind":"PodList","apiVersion":"v1","metadata":{},"items":[]}`)
		case p[0] == "healthz":
			fmt.Fprint(w, "ok")
		default:
			http.NotFound(w, r)
		}
	})
}

// verb is the authorizer's verb for a non-resource kubelet request, as the kubelet derives it.
func verb(method string) string {
	switch method {
	case http.MethodPost:
		return "create"
	case http.MethodPut:
		return "update"
	case http.MethodPatch:
		return "patch"
	case http.MethodDelete:
		return "delete"
	}
	return "get"
}

// selfSigned is client-go's GenerateSelfSignedCertKeyWithFixtures(host, nil, nil) without the
// fixtures: CA CN=<host>-ca@<unix> serial 1, leaf CN=<host>@<unix> serial 2, both RSA-2048, valid
// from an hour ago for a year; the leaf's only SAN is the host name. The kubelet serves leaf + CA.
func selfSigned(host, out string) tls.Certificate {
	validFrom := time.Now().Add(-time.Hour)
	maxAge := time.Hour * 24 * 365
	caKey, err := rsa.GenerateKey(rand.Reader, 2048)
	check(err, "ca key")
	caTemplate := x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: fmt.Sprintf("%s-ca@%d", host, time.Now().Unix())},
		NotBefore:             validFrom,
		NotAfter:              validFrom.Add(maxAge),
		KeyUsage:              x509.KeyUsageKeyEncipherment | x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, &caTemplate, &caTemplate, &caKey.PublicKey, caKey)
	check(err, "ca cert")
	caCert, err := x509.ParseCertificate(caDER)
	check(err, "parse ca")
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	check(err, "key")
	template := x509.Certificate{
		SerialNumber:          big.NewInt(2),
		Subject:               pkix.Name{CommonName: fmt.Sprintf("%s@%d", host, time.Now().Unix())},
		NotBefore:             validFrom,
		NotAfter:              validFrom.Add(maxAge),
		KeyUsage:              x509.KeyUsageKeyEncipherment | x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		DNSNames:              []string{host},
	}
	der, err := x509.CreateCertificate(rand.Reader, &template, caCert, &key.PublicKey, caKey)
	check(err, "cert")
	if out != "" {
		var b []byte
		for _, d := range [][]byte{der, caDER} {
			b = append(b, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: d})...)
		}
		check(os.WriteFile(out, b, 0o644), "write "+out)
	}
	return tls.Certificate{Certificate: [][]byte{der, caDER}, PrivateKey: key}
}
