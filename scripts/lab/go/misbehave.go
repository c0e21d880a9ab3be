package main

// Endpoints that are not TLS servers at all, for a prober's timeouts and error paths: hang accepts
// and then says nothing, reset aborts each connection with an RST, garbage answers with bytes that
// no TLS record starts with.

import (
	"crypto/rand"
	"flag"
	"io"
	"net"
)

func misbehave(args []string) {
	fs := flag.NewFlagSet("misbehave", flag.ExitOnError)
	listen := fs.String("listen", "", "address to listen on")
	mode := fs.String("mode", "", "hang | reset | garbage")
	check(fs.Parse(args), "flags")
	var handle func(*net.TCPConn)
	switch *mode {
	case "hang":
		// Reads what the client sends so that its writes never block; closes only after the client has.
		handle = func(c *net.TCPConn) { _, _ = io.Copy(io.Discard, c); c.Close() }
	case "reset":
		handle = func(c *net.TCPConn) { check(c.SetLinger(0), "linger"); c.Close() }
	case "garbage":
		handle = func(c *net.TCPConn) {
			b := make([]byte, 4096)
			_, err := rand.Read(b)
			check(err, "random")
			// A first byte below 0x14 is no TLS content type, and with its high bit clear no SSLv2 header either.
			b[0] %= 0x14
			if _, err := c.Write(b); err == nil {
				_, _ = io.Copy(io.Discard, c)
			}
			c.Close()
		}
	default:
		fail("unknown -mode " + *mode)
	}
	l, err := net.Listen("tcp", *listen)
	check(err, "listen")
	for {
		c, err := l.Accept()
		check(err, "accept")
		go handle(c.(*net.TCPConn))
	}
}
