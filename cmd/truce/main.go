// Command truce monitors and verifies ceasefires: it checks agreement files,
// judges incident reports against them, keeps a store of reports and
// findings, and prints reports. Run "truce help" for the commands.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strings"
	"syscall"
)

func main() {
	// The heap profiler samples an allocation every 512 KiB allocated on
	// average and records its stack: about 2% of a busy server's CPU
	// (issue 16). Only --memprofile reads it.
	if !slices.ContainsFunc(os.Args[1:], func(a string) bool { return strings.HasPrefix(a, "--memprofile") }) {
		runtime.MemProfileRate = 0
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		if !isSilent(err) {
			fmt.Fprintln(os.Stderr, "truce:", err)
		}
		os.Exit(1)
	}
}

// run executes the command line args with the given standard streams.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	root := newRootCmd(stdin, stdout, stderr)
	root.SetArgs(args)
	return root.ExecuteContext(ctx)
}
