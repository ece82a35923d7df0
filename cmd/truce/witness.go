package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"truce/internal/witness"
)

// witnessConfig is the configuration of `truce witness`.
type witnessConfig struct {
	DB       string
	KeyFile  string
	Addr     string
	Logs     []string // "<origin>=<verifier key>"
	LogsFile string   // lines "<origin> <verifier key>"
	// ShutdownTimeout bounds the graceful shutdown.
	ShutdownTimeout time.Duration
}

func (e *env) witnessCmd() *cobra.Command {
	cfg := witnessConfig{ShutdownTimeout: 10 * time.Second}
	cmd := &cobra.Command{
		Use:   "witness",
		Short: "Run a C2SP tlog-witness that cosigns checkpoints of the logs it knows",
		Long: `witness serves POST /add-checkpoint (https://c2sp.org/tlog-witness). It
cosigns a log's checkpoint only if the log's key signed it and it is
consistent with the latest checkpoint of that log the witness cosigned,
which it keeps in its own SQLite file (--db). Give each log with --log
<origin>=<verifier key> or in --logs, a file of "<origin> <verifier key>"
lines. The key file holds the witness's note signer key (see
"truce witness keygen").`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.runWitness(cmd.Context(), cfg)
		},
	}
	cmd.Flags().StringVar(&cfg.DB, "db", "witness.db", "the witness's state: a SQLite file of its own, not the truce database")
	cmd.Flags().StringVar(&cfg.KeyFile, "key", "", "file holding the witness's signer key (PRIVATE+KEY+…)")
	cmd.Flags().StringVar(&cfg.Addr, "addr", "127.0.0.1:7380", "listen address")
	cmd.Flags().StringArrayVar(&cfg.Logs, "log", nil, "a log to witness, <origin>=<verifier key> (repeatable)")
	cmd.Flags().StringVar(&cfg.LogsFile, "logs", "", `file of logs to witness, one "<origin> <verifier key>" a line (# comments)`)
	must(cmd.MarkFlagRequired("key"))
	cmd.AddCommand(e.witnessKeygenCmd(), e.witnessStateCmd())
	return cmd
}

func (e *env) witnessKeygenCmd() *cobra.Command {
	var name, out string
	cmd := &cobra.Command{
		Use:   "keygen",
		Short: "Generate a witness key: the signer key stays on this machine, the verifier key goes in witness policies",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			skey, vkey, err := witness.GenerateKey(name)
			if err != nil {
				return err
			}
			if out == "" {
				fmt.Fprintln(e.stdout, skey)
				fmt.Fprintln(e.stdout, vkey)
				return nil
			}
			if err := writeNewFile(out, []byte(skey+"\n")); err != nil {
				return err
			}
			fmt.Fprintln(e.stdout, vkey)
			return nil
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "the witness's name in its cosignatures, e.g. witness.example.org/w1")
	cmd.Flags().StringVar(&out, "out", "", "write the signer key to this new file (mode 0600) and print only the verifier key; without it both are printed, signer key first")
	must(cmd.MarkFlagRequired("name"))
	return cmd
}

func (e *env) witnessStateCmd() *cobra.Command {
	var db, origin string
	cmd := &cobra.Command{
		Use:   "state --db FILE --origin LOG",
		Short: "Print the latest checkpoint of a log this witness cosigned: give it to truce log verify --against to check what you are shown",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := witness.OpenStore(cmd.Context(), db)
			if err != nil {
				return err
			}
			defer st.Close()
			s, err := st.State(cmd.Context(), origin)
			if err != nil {
				return fmt.Errorf("witness state of %q: %w", origin, err)
			}
			_, err = e.stdout.Write(s.Checkpoint)
			return err
		},
	}
	cmd.Flags().StringVar(&db, "db", "witness.db", "the witness's state file")
	cmd.Flags().StringVar(&origin, "origin", "", "the log's origin, the first line of its checkpoints")
	must(cmd.MarkFlagRequired("origin"))
	return cmd
}

// writeNewFile writes data to a file that must not exist, readable only by
// its owner, and syncs it.
func writeNewFile(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return f.Close()
}

// runWitness serves the witness until ctx is cancelled.
func (e *env) runWitness(ctx context.Context, cfg witnessConfig) error {
	log := slog.New(slog.NewJSONHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	logs, err := witnessLogs(cfg)
	if err != nil {
		return err
	}
	skey, err := readWitnessKey(cfg.KeyFile, log)
	if err != nil {
		return err
	}
	st, err := witness.OpenStore(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	w, err := witness.NewServer(st, skey, logs, log)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           w.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	log.InfoContext(ctx, "witness listening", "addr", ln.Addr().String(), "verifier_key", w.VerifierKey(), "logs", len(logs), "db", cfg.DB)
	return serveUntilDone(ctx, srv, ln, cfg.ShutdownTimeout)
}

// serveUntilDone serves on ln until ctx is cancelled, then lets requests in
// flight finish, up to timeout.
func serveUntilDone(ctx context.Context, srv *http.Server, ln net.Listener, timeout time.Duration) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// readWitnessKey reads the signer key file; errors name the file, never
// its contents.
func readWitnessKey(path string, log *slog.Logger) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("--key: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		log.Warn("witness key file is readable by others", "file", path, "mode", fi.Mode().Perm().String())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("--key: %w", err)
	}
	skey := string(bytes.TrimSpace(b))
	if _, err := witness.VerifierKey(skey); err != nil {
		return "", fmt.Errorf("--key %s: %w", path, err)
	}
	return skey, nil
}

// witnessLogs collects the logs of --log and --logs.
func witnessLogs(cfg witnessConfig) ([]witness.Log, error) {
	var logs []witness.Log
	for _, l := range cfg.Logs {
		origin, vkey, ok := strings.Cut(l, "=")
		if !ok || origin == "" || vkey == "" {
			return nil, fmt.Errorf("--log %q: want <origin>=<verifier key>", l)
		}
		logs = append(logs, witness.Log{Origin: origin, VerifierKey: vkey})
	}
	if cfg.LogsFile != "" {
		fromFile, err := readLogsFile(cfg.LogsFile)
		if err != nil {
			return nil, err
		}
		logs = append(logs, fromFile...)
	}
	if len(logs) == 0 {
		return nil, errors.New("no logs to witness: give --log <origin>=<verifier key> or --logs <file>")
	}
	return logs, nil
}

// readLogsFile reads "<origin> <verifier key>" lines; # starts a comment.
func readLogsFile(path string) ([]witness.Log, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--logs: %w", err)
	}
	defer f.Close()
	var logs []witness.Log
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		fields := strings.Fields(line)
		switch len(fields) {
		case 0:
			continue
		case 2:
			logs = append(logs, witness.Log{Origin: fields[0], VerifierKey: fields[1]})
		default:
			return nil, fmt.Errorf("%s:%d: want \"<origin> <verifier key>\"", path, n)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("--logs %s: %w", path, err)
	}
	return logs, nil
}
