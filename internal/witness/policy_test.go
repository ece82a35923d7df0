package witness_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"truce/internal/witness"
)

// TestPolicy checks a 2-of-3 policy with 0, 1, 2 and 3 real cosignatures.
func TestPolicy(t *testing.T) {
	ctx := context.Background()
	l := newMemLog(t, "truce.example/log").add("r", 5)
	var ws []witness.Witness
	var cosigs [][]byte
	for _, name := range []string{"w1", "w2", "w3"} {
		w := mustStartWitness(t, "witness.example/"+name, l)
		w.Name = name
		ws = append(ws, w.Witness)
		cosig, err := mustClient(t, w.Witness, l).AddCheckpoint(ctx, l.checkpoint())
		if err != nil {
			t.Fatal(err)
		}
		cosigs = append(cosigs, cosig)
	}
	p := witness.Policy{Witnesses: ws, Threshold: 2}
	for _, tt := range []struct {
		name          string
		use           []int
		signed, missg []string
	}{
		{name: "none", use: nil, missg: []string{"w1", "w2", "w3"}},
		{name: "one", use: []int{1}, signed: []string{"w2"}, missg: []string{"w1", "w3"}},
		{name: "two", use: []int{0, 2}},
		{name: "three", use: []int{2, 1, 0}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var use [][]byte
			for _, i := range tt.use {
				use = append(use, cosigs[i])
			}
			signed, err := witness.MergeCosignatures(l.checkpoint(), use...)
			if err != nil {
				t.Fatal(err)
			}
			err = p.Verify(signed, l.vkey)
			if len(tt.use) >= 2 {
				if err != nil {
					t.Fatalf("Verify = %v, want nil", err)
				}
				return
			}
			var pe *witness.PolicyError
			if !errors.As(err, &pe) || !errors.Is(err, witness.ErrPolicy) {
				t.Fatalf("Verify = %v, want a PolicyError", err)
			}
			if diff := cmp.Diff(tt.signed, pe.Signed); diff != "" {
				t.Errorf("Signed (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.missg, pe.Missing); diff != "" {
				t.Errorf("Missing (-want +got):\n%s", diff)
			}
			if !pe.LogSigned || !strings.Contains(err.Error(), "need 2") {
				t.Errorf("Verify = %v, want log signed and the threshold named", err)
			}
		})
	}
	t.Run("not signed by the log", func(t *testing.T) {
		impostor := newMemLog(t, l.origin).add("r", 5)
		signed, err := witness.MergeCosignatures(impostor.checkpoint(), cosigs...)
		if err != nil {
			t.Fatal(err)
		}
		var pe *witness.PolicyError
		if err := p.Verify(signed, l.vkey); !errors.As(err, &pe) || pe.LogSigned {
			t.Fatalf("Verify of another key's checkpoint = %v, want PolicyError without log signature", err)
		}
	})
	t.Run("invalid policy", func(t *testing.T) {
		for _, bad := range []witness.Policy{
			{Witnesses: ws, Threshold: 4},
			{Witnesses: ws, Threshold: 0},
			{Witnesses: []witness.Witness{ws[0], ws[0]}, Threshold: 1},
			{Witnesses: []witness.Witness{{Name: "w", VerifierKey: l.vkey}}, Threshold: 1}, // a log key, not a cosignature key
		} {
			if err := bad.Verify(l.checkpoint(), l.vkey); err == nil || errors.Is(err, witness.ErrPolicy) {
				t.Errorf("Verify with policy %+v = %v, want a configuration error", bad, err)
			}
		}
	})
}

func TestMergeCosignatures(t *testing.T) {
	l := newMemLog(t, "truce.example/log").add("r", 2)
	cp := l.checkpoint()
	line := "— witness.example/w1 AAAA\n"
	got, err := witness.MergeCosignatures(cp, []byte(line), []byte(line+line))
	if err != nil {
		t.Fatal(err)
	}
	if want := string(cp) + line; string(got) != want {
		t.Fatalf("MergeCosignatures = %q, want %q", got, want)
	}
	for _, bad := range []string{"witness.example/w1 AAAA\n", "— witness.example/w1 AAAA", "— w1\n"} {
		if _, err := witness.MergeCosignatures(cp, []byte(bad)); err == nil {
			t.Errorf("MergeCosignatures(%q) = nil error, want a malformed line", bad)
		}
	}
	if _, err := witness.MergeCosignatures([]byte("no signatures\n"), []byte(line)); err == nil {
		t.Error("MergeCosignatures of a note without signatures = nil error")
	}
}
