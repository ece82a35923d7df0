package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"runtime/debug"
	"time"

	"github.com/spf13/cobra"

	"truce/internal/cosign"
	"truce/internal/httpapi"
	"truce/internal/web"
)

// serveConfig is the configuration of `truce serve`.
type serveConfig struct {
	DB              string
	Addr            string
	LogOrigin       string
	ShutdownTimeout time.Duration
	// WriteRate limits writes per token and per address (per second; 0: no limit).
	WriteRate float64
	// TrustedProxies are CIDRs (or addresses) of reverse proxies whose
	// X-Forwarded-For names the client.
	TrustedProxies []string
	// EvidenceQuotaMiB is the evidence a party token may store a day (0: no quota).
	EvidenceQuotaMiB int64
	// ready, if set, receives the listening address (tests use :0).
	ready func(addr string)
}

func (e *env) serveCmd() *cobra.Command {
	cfg := serveConfig{ShutdownTimeout: 15 * time.Second, WriteRate: httpapi.DefaultLimits.WritesPerSecond, EvidenceQuotaMiB: httpapi.DefaultLimits.EvidenceBytesPerDay >> 20}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the JSON API (and the dashboard) on the store",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.serve(cmd.Context(), cfg)
		},
	}
	dbFlag(cmd, &cfg.DB)
	addr := "127.0.0.1:8080"
	if v := os.Getenv("TRUCE_ADDR"); v != "" {
		addr = v
	}
	cmd.Flags().StringVar(&cfg.Addr, "addr", addr, "listen address (env TRUCE_ADDR)")
	cmd.Flags().Float64Var(&cfg.WriteRate, "write-rate", httpapi.DefaultLimits.WritesPerSecond, "writes per second allowed per token and per client address, with bursts of 5 seconds' worth (0: no limit)")
	cmd.Flags().StringSliceVar(&cfg.TrustedProxies, "trusted-proxy", nil, "CIDRs or addresses of reverse proxies whose X-Forwarded-For names the client, for the per-address limits (e.g. 127.0.0.1/32,::1)")
	cmd.Flags().Int64Var(&cfg.EvidenceQuotaMiB, "evidence-quota", cfg.EvidenceQuotaMiB, "MiB of evidence one party token may store a day, UTC (0: no quota)")
	cmd.Flags().StringVar(&cfg.LogOrigin, "log-origin", "", "name of the log in its checkpoints, used when the signing key is first generated (default "+`"truce.local/log"`+")")
	return cmd
}

// serve runs the API until ctx is cancelled, then shuts down gracefully:
// it stops accepting, lets requests in flight finish (up to the timeout)
// and closes the store.
func (e *env) serve(ctx context.Context, cfg serveConfig) error {
	proxies, err := parsePrefixes(cfg.TrustedProxies)
	if err != nil {
		return fmt.Errorf("--trusted-proxy: %w", err)
	}
	st, err := openBackend(ctx, cfg.DB, cfg.LogOrigin, true)
	if err != nil {
		return err
	}
	defer st.Close()
	serverGC()
	log := slog.New(slog.NewJSONHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	lim := httpapi.DefaultLimits
	switch {
	case cfg.WriteRate == 0:
		lim.WritesPerSecond = -1
	case cfg.WriteRate > 0:
		lim.WritesPerSecond, lim.WriteBurst = cfg.WriteRate, max(1, int(5*cfg.WriteRate))
	}
	lim.EvidenceBytesPerDay = cfg.EvidenceQuotaMiB << 20
	// Every request with a bearer token looked its token up; a token is now
	// read once a second at most. Revocation by another process takes
	// effect within httpapi.TokenCacheTTL (docs/operations.md).
	cached := httpapi.CacheTokens(st, httpapi.TokenCacheTTL, nil)
	api := httpapi.New(cached, httpapi.Options{Log: log, Limits: &lim, TrustedProxies: proxies})
	srv := &http.Server{
		Handler:           api.Instrument(web.Handler(api, cached, web.Options{Log: log, TrustedProxies: proxies})),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       2 * time.Minute, // bulk uploads of large files
		WriteTimeout:      5 * time.Minute, // exports of the whole record
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	// Records sequenced by a process that exited before its integrator
	// ran (an import, a crash) are integrated now: the server's
	// integrator runs only after a write. A failure (a record altered
	// in the database) is logged and serving goes on; the checkpoint
	// stays at the last one signed and `truce log verify` names it.
	if _, err := st.Integrate(ctx); err != nil {
		log.ErrorContext(ctx, "integrate the log at start", "err", err)
	}
	if err := api.Warm(ctx); err != nil {
		return fmt.Errorf("load the current agreement: %w", err)
	}
	// The witnesses of the current agreement's policy cosign each new
	// checkpoint; writes never wait for them.
	cctx, stopCosign := context.WithCancel(ctx)
	defer stopCosign()
	go cosign.New(st, api.WitnessPolicy, cosign.Options{Log: log}).Run(cctx)
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	addr := ln.Addr().String()
	fmt.Fprintf(e.stderr, "truce: serving the dashboard at http://%s/ and the API at /api/v1/ (OpenAPI: /api/v1/openapi.json) on %s\n", addr, cfg.DB)
	if cfg.ready != nil {
		cfg.ready(addr)
	}
	go func() {
		<-ctx.Done()
		log.InfoContext(ctx, "shutting down", "timeout", cfg.ShutdownTimeout.String())
	}()
	return serveUntilDone(ctx, srv, ln, cfg.ShutdownTimeout)
}

// parsePrefixes reads CIDRs; a bare address stands for itself.
func parsePrefixes(ss []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range ss {
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("%q is neither a CIDR nor an address", s)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// serverGCPercent is the server's GOGC unless the environment sets one.
// A server's live heap is small (tens of MiB) and its garbage comes fast
// (a request's rows and JSON): collecting at 4× the live heap rather than
// 2× spends a quarter of the collector's CPU for a few hundred MiB more at
// most.
const serverGCPercent = 400

// serverGC sets serverGCPercent, unless GOGC is set.
func serverGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(serverGCPercent)
	}
}
