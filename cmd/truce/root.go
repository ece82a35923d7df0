package main

import (
	"errors"
	"io"

	"github.com/spf13/cobra"
)

// silentError is an error whose message has already been printed.
type silentError struct{ err error }

func (e silentError) Error() string { return e.err.Error() }
func (e silentError) Unwrap() error { return e.err }

func isSilent(err error) bool {
	var se silentError
	return errors.As(err, &se)
}

// env is what every subcommand receives: the standard streams.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

func newRootCmd(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:   "truce",
		Short: "Ceasefire monitoring and verification",
		Long: `truce writes ceasefire agreements as code, takes in incident reports from many
sources, judges each against the terms in force at its time and place, and
keeps the record.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	var cpuProfile, memProfile string
	var stopCPU func()
	root.PersistentFlags().StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile to this file")
	root.PersistentFlags().StringVar(&memProfile, "memprofile", "", "write a heap profile to this file at exit")
	must(root.PersistentFlags().MarkHidden("cpuprofile"))
	must(root.PersistentFlags().MarkHidden("memprofile"))
	root.PersistentPreRunE = func(*cobra.Command, []string) error {
		var err error
		stopCPU, err = startProfiles(cpuProfile)
		return err
	}
	root.PersistentPostRunE = func(*cobra.Command, []string) error {
		if stopCPU != nil {
			stopCPU()
		}
		return writeHeapProfile(memProfile)
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(
		e.checkCmd(),
		e.judgeCmd(),
		e.importCmd(),
		e.adjudicateCmd(),
		e.reportCmd(),
		e.dailyCmd(),
		e.exportCmd(),
		e.demoCmd(),
		e.serveCmd(),
		e.tokenCmd(),
		e.logCmd(),
		e.migrateCmd(),
		e.groupCmd(),
		e.compareCmd(),
		e.evalCmd(),
		e.backupCmd(),
		e.restoreCmd(),
		e.witnessCmd(),
	)
	return root
}
