// Command netdelay forwards TCP connections to a target after a fixed
// one-way delay in each direction, keeping each direction's bytes in
// order: a network between the API servers and PostgreSQL, on a machine
// where they share loopback (bench/load.sh's PG_DELAY). The machines this
// project is measured on cannot add delay in the kernel (no netem); the
// proxy's own CPU is part of what it measures, as a real network's
// interrupts would be.
//
//	go run ./bench/netdelay -listen 127.0.0.1:56000 -target 127.0.0.1:55432 -delay 150us
package main

import (
	"flag"
	"log"
	"net"
	"time"
)

// chunk is what one read returned, and when.
type chunk struct {
	b  []byte
	at time.Time
}

// forward copies src to dst, each chunk delay after it was read, until
// either side closes; then it closes both.
func forward(dst, src net.Conn, delay time.Duration) {
	ch := make(chan chunk, 4096)
	go func() {
		defer close(ch)
		for {
			buf := make([]byte, 64<<10)
			n, err := src.Read(buf)
			if n > 0 {
				ch <- chunk{buf[:n], time.Now()}
			}
			if err != nil {
				return
			}
		}
	}()
	for c := range ch {
		if wait := time.Until(c.at.Add(delay)); wait > 0 {
			time.Sleep(wait)
		}
		if _, err := dst.Write(c.b); err != nil {
			break
		}
	}
	_ = dst.Close()
	_ = src.Close()
}

func main() {
	listen := flag.String("listen", "127.0.0.1:56000", "address to listen on")
	target := flag.String("target", "", "address to forward to (host:port)")
	delay := flag.Duration("delay", 150*time.Microsecond, "one-way delay (the round trip is twice it)")
	flag.Parse()
	if *target == "" {
		log.Fatal("netdelay: -target is required")
	}
	l, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	for {
		c, err := l.Accept()
		if err != nil {
			log.Fatal(err)
		}
		go func() {
			t, err := net.Dial("tcp", *target)
			if err != nil {
				log.Printf("netdelay: %v", err)
				_ = c.Close()
				return
			}
			go forward(t, c, *delay)
			forward(c, t, *delay)
		}()
	}
}
