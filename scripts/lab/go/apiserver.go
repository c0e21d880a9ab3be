package main

// A stand-in kube-apiserver for the real kubectl: TLS like kube-apiserver (Go's default TLS 1.3,
// a CertificateRequest for optional x509 client auth, bearer tokens), enough legacy discovery
// (/version, /api, /apis, /api/v1) for `kubectl get pods`, one pod, and the pod's log and exec
// subresources forwarded to its kubelet the way kube-apiserver's kubelet client does: HTTPS to
// :10250 with the apiserver-kubelet-client certificate, verifying the kubelet only when
// --kubelet-certificate-authority (-kubelet-ca) is given.

import (
	"crypto/subtle"
	"crypto/tls"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

type apiConfig struct {
	pod, node, kubelet string
	token              []byte
	client             *http.Client
}

func apiserver(args []string) {
	fs := flag.NewFlagSet("apiserver", flag.ExitOnError)
	listen := fs.String("listen", "", "comma-separated addresses to serve on")
	certFile := fs.String("cert", "", "serving certificate")
	keyFile := fs.String("key", "", "serving key")
	clientCA := fs.String("client-ca", "", "CA for x509 client authentication")
	tokenFile := fs.String("token-file", "", "the one accepted bearer token")
	pod := fs.String("pod", "web", "the pod in namespace default")
	node := fs.String("node", "", "the pod's node")
	kubeletAddr := fs.String("kubelet", "", "the pod's kubelet, IP:PORT")
	kCert := fs.String("kubelet-cert", "", "client certificate to the kubelet")
	kKey := fs.String("kubelet-key", "", "client key to the kubelet")
	kCA := fs.String("kubelet-ca", "", "CA to verify the kubelet with (empty: not verified)")
	kMax := fs.String("kubelet-tls-max", "", "highest TLS version to the kubelet")
	keylog := fs.String("keylog", "", "NSS key log file")
	check(fs.Parse(args), "flags")

	token, err := os.ReadFile(*tokenFile)
	check(err, "read token")
	kl := keyLog(*keylog)
	c := &apiConfig{pod: *pod, node: *node, kubelet: *kubeletAddr, token: []byte(strings.TrimSpace(string(token))),
		client: kubeletClient(*kCert, *kKey, *kCA, *kMax, kl)}
	cfg := &tls.Config{Certificates: []tls.Certificate{loadPair(*certFile, *keyFile)}, ClientAuth: tls.VerifyClientCertIfGiven,
		ClientCAs: loadPool(*clientCA), KeyLogWriter: kl, NextProtos: []string{"h2", "http/1.1"}}
	addrs := strings.Split(*listen, ",")
	for _, a := range addrs[1:] {
		srv := &http.Server{Addr: a, TLSConfig: cfg, Handler: c}
		go func() { check(srv.ListenAndServeTLS("", ""), "serve "+srv.Addr) }()
	}
	srv := &http.Server{Addr: addrs[0], TLSConfig: cfg, Handler: c}
	check(srv.ListenAndServeTLS("", ""), "serve "+addrs[0])
}

// kubeletClient is the apiserver's HTTPS client to kubelets (HTTP/1.1, as with its custom TLS config).
func kubeletClient(certFile, keyFile, caFile, max string, kl io.Writer) *http.Client {
	cfg := &tls.Config{Certificates: []tls.Certificate{loadPair(certFile, keyFile)}, MaxVersion: tlsVersion(max), KeyLogWriter: kl}
	if caFile != "" {
		cfg.RootCAs = loadPool(caFile)
	} else {
		cfg.InsecureSkipVerify = true
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}, Timeout: 5 * time.Second}
}

func (c *apiConfig) authenticated(r *http.Request) bool {
	if r.TLS != nil && len(r.TLS.VerifiedChains) > 0 {
		return true
	}
	h := r.Header.Get("Authorization")
	return strings.HasPrefix(h, "Bearer ") && subtle.ConstantTimeCompare([]byte(h[len("Bearer "):]), c.token) == 1
}

func (c *apiConfig) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !c.authenticated(r) {
		status(w, http.StatusUnauthorized, "Unauthorized")
		return
	}
	podPath := "/api/v1/namespaces/default/pods/" + c.pod
	switch r.URL.Path {
	case "/version":
		reply(w, map[string]string{"major": "1", "minor": "32", "gitVersion": "v1.32.4", "platform": "linux/amd64"})
	case "/api":
		reply(w, map[string]any{"kind": "APIVersions", "versions": []string{"v1"},
			"serverAddressByClientCIDRs": []map[string]string{{"clientCIDR": "0.0.0.0/0", "serverAddress": "10.20.0.10:6443"}}})
	case "/apis":
		reply(w, map[string]any{"kind": "APIGroupList", "apiVersion": "v1", "groups": []any{}})
	case "/api/v1":
		reply(w, map[string]any{"kind": "APIResourceList", "groupVersion": "v1", "resources": []map[string]any{
			{"name": "pods", "singularName": "pod", "namespaced": true, "kind": "Pod", "verbs": []string{"get", "list"}, "shortNames": []string{"po"}},
			{"name": "pods/log", "singularName": "", "namespaced": true, "kind": "Pod", "verbs": []string{"get"}},
			{"name": "pods/exec", "singularName": "", "namespaced": true, "kind": "PodExecOptions", "verbs": []string{"create", "get"}},
		}})
	case "/api/v1/namespaces/default/pods":
		reply(w, map[string]any{"kind": "PodList", "apiVersion": "v1", "metadata": map[string]any{}, "items": []any{c.podObject()}})
	case podPath:
		reply(w, c.podObject())
	case podPath + "/log":
		c.forward(w, "/containerLogs/default/"+c.pod+"/"+c.container(r), url.Values{"tailLines": r.URL.Query()["tailLines"]})
	case podPath + "/exec":
		q := url.Values{"command": r.URL.Query()["command"], "output": {"1"}, "error": {"1"}}
		c.forward(w, "/exec/default/"+c.pod+"/"+c.container(r), q)
	default:
		status(w, http.StatusNotFound, "the server could not find the requested resource")
	}
}

func (c *apiConfig) container(r *http.Request) string {
	if n := r.URL.Query().Get("container"); n != "" {
		return n
	}
	return c.pod
}

// forward makes the kubelet request and relays its status and body.
func (c *apiConfig) forward(w http.ResponseWriter, path string, q url.Values) {
	for k, v := range q {
		if len(v) == 0 {
			delete(q, k)
		}
	}
	u := "https://" + c.kubelet + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	resp, err := c.client.Get(u)
	if err != nil {
		status(w, http.StatusBadGateway, "error dialing backend: "+err.Error())
		return
	}
	defer resp.Body.Close()
	w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}

func (c *apiConfig) podObject() map[string]any {
	return map[string]any{"kind": "Pod", "apiVersion": "v1",
		"metadata": map[string]any{"name": c.pod, "namespace": "default", "uid": "5f1c9a3e-7d8b-4c1e-9a2f-3b6d8e0c1a47", "creationTimestamp": "2026-12-01T09:00:00Z"},
		"spec":     map[string]any{"nodeName": c.node, "containers": []map[string]any{{"name": c.pod, "image": "nginx:1.27"}}},
		"status":   map[string]any{"phase": "Running", "podIP": "10.244.1.7", "containerStatuses": []map[string]any{{"name": c.pod, "ready": true, "restartCount": 0, "image": "nginx:1.27", "imageID": "", "state": map[string]any{"running": map[string]any{"startedAt": "2026-12-01T09:00:05Z"}}}}}}
}

func reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	check(json.NewEncoder(w).Encode(v), "encode")
}

func status(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	fmt.Fprintf(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","message":%q,"code":%d}`+"\n", msg, code)
}
