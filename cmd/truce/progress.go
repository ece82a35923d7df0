package main

import (
	"io"
	"os"

	"github.com/cheggaaa/pb/v3"
	"github.com/mattn/go-isatty"
)

// progress wraps f in a progress bar on stderr when stderr is a terminal;
// done stops the bar and may be called more than once.
func (e *env) progress(f *os.File, name string) (io.Reader, func()) {
	errf, ok := e.stderr.(*os.File)
	st, err := f.Stat()
	if !ok || err != nil || !isatty.IsTerminal(errf.Fd()) || !st.Mode().IsRegular() {
		return f, func() {}
	}
	bar := pb.Full.Start64(st.Size())
	bar.SetWriter(errf)
	bar.Set(pb.Bytes, true)
	bar.Set("prefix", name+" ")
	stopped := false
	return bar.NewProxyReader(f), func() {
		if !stopped {
			stopped = true
			bar.Finish()
		}
	}
}

// progressBar returns a byte progress bar for f on stderr when stderr is a
// terminal, else nil.
func (e *env) progressBar(f *os.File, name string) *pb.ProgressBar {
	errf, ok := e.stderr.(*os.File)
	st, err := f.Stat()
	if !ok || err != nil || !isatty.IsTerminal(errf.Fd()) || !st.Mode().IsRegular() {
		return nil
	}
	bar := pb.Full.Start64(st.Size())
	bar.SetWriter(errf)
	bar.Set(pb.Bytes, true)
	bar.Set("prefix", name+" ")
	return bar
}
