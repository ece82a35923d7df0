package main

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"truce"
	"truce/internal/adjudicate"
	"truce/internal/agreement"
)

func (e *env) checkCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "check AGREEMENT",
		Short: "Validate an agreement file and print its summary and phase timeline",
		Long: `check validates an agreement file. It prints every problem as
FILE:LINE:COL: message and exits with status 1, or prints a summary of the
agreement and its phase timeline and exits with status 0.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := loadAgreement(e.stderr, args[0])
			if err != nil {
				return err
			}
			printSummary(e.stdout, args[0], a)
			return nil
		},
	}
}

// loadAgreement loads an agreement; problems are printed one per line to
// w and returned as a silent error.
func loadAgreement(w io.Writer, path string) (*truce.Agreement, error) {
	a, err := agreement.Load(path)
	var ps agreement.Problems
	if errors.As(err, &ps) {
		for _, p := range ps {
			fmt.Fprintln(w, p.String())
		}
		return nil, silentError{fmt.Errorf("%s: %d problem(s)", path, len(ps))}
	} else if err != nil {
		return nil, fmt.Errorf("agreement %s: %w", path, err)
	}
	return a, nil
}

func printSummary(w io.Writer, path string, a *truce.Agreement) {
	fmt.Fprintf(w, "%s: ok\n\n", path)
	fmt.Fprintf(w, "Agreement %s: %s\n", a.ID, a.Title)
	if a.Version != "" {
		fmt.Fprintf(w, "Version %s; times in %s; site radius %.0f m\n", a.Version, a.Timezone, a.SiteRadiusMeters)
	}
	fmt.Fprintln(w, "\nParties:")
	for _, p := range a.Parties {
		role := "bound"
		if p.Mediator {
			role = "mediator"
		}
		fmt.Fprintf(w, "  %-4s %s (%s; %d aliases, %d attribution phrases)\n", p.ID, p.Name, role, len(p.Aliases), len(p.Attribution))
	}
	fmt.Fprintln(w, "\nZones:")
	for _, z := range a.Zones {
		n := 0
		if z.Region != nil {
			n = z.Region.Geometry().NumVertices()
		}
		ex := ""
		if len(z.Exclude) > 0 {
			ex = fmt.Sprintf(", excluding %v", z.Exclude)
		}
		fmt.Fprintf(w, "  %-24s %s (%s, %d vertices%s)\n", z.ID, z.Name, z.Source, n, ex)
	}
	kw := 0
	for _, c := range a.Categories {
		for _, ks := range c.Keywords {
			kw += len(ks)
		}
	}
	fmt.Fprintf(w, "\nTarget categories: %d (%d keywords); site rules: %d\n", len(a.Categories), kw, len(a.SiteRules))
	if langs := nameLanguages(a); langs != "" {
		fmt.Fprintf(w, "Names in other languages: %s\n", langs)
	}
	fmt.Fprintln(w, "\nPhase timeline:")
	for _, ps := range adjudicate.Schedule(a) {
		ph := ps.Phase
		fmt.Fprintf(w, "  %s: %s (start rule %s; %d commitment(s))\n", ph.ID, ph.Name, ph.Start.Kind, len(ph.Commitments))
		for _, win := range ps.Windows {
			who := "all"
			if !win.Common || len(ph.Readings) > 0 {
				who = joinIDs(win.Parties)
			}
			fmt.Fprintf(w, "    %-10s %s\n", who+":", win.Why)
		}
		for _, c := range ph.Commitments {
			fmt.Fprintf(w, "    - %s: %s\n", c.ID, c.Description)
		}
	}
	if len(a.Obligations) > 0 {
		fmt.Fprintln(w, "\nObligations:")
		for _, o := range a.Obligations {
			fmt.Fprintf(w, "  %s: %s, due %s: %s\n", o.ID, o.Status, o.Due.In(a.Timezone).Format("2 January 2006"), o.Description)
			for _, it := range o.Items {
				fmt.Fprintf(w, "    %s: %s, %d of %d\n", it.Party, it.What, it.Delivered, it.Count)
			}
		}
	}
	if len(a.Positions) > 0 {
		fmt.Fprintln(w, "\nPositions:")
		for _, p := range a.Positions {
			line := fmt.Sprintf("  %s  %-3s %-10s %s", p.At.In(a.Timezone).Format("2006-01-02"), p.Party, p.Phase, p.Stance)
			if len(p.Conditions) > 0 {
				line += fmt.Sprintf(" (%d condition(s))", len(p.Conditions))
			}
			if p.Source != "" {
				line += " [" + p.Source + "]"
			}
			fmt.Fprintln(w, line)
		}
	}
}

func joinIDs[T ~string](ids []T) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = string(id)
	}
	return strings.Join(s, ",")
}

// nameLanguages says how many of the names of a's parties, zones,
// categories and phases each language other than English gives: "ru 39
// of 39, uk 39 of 39", or "" when none does.
func nameLanguages(a *truce.Agreement) string {
	count := map[string]int{}
	total := 0
	add := func(n truce.Names) {
		total++
		for l := range n {
			count[l]++
		}
	}
	for _, p := range a.Parties {
		add(p.Names)
	}
	for _, z := range a.Zones {
		add(z.Names)
	}
	for _, c := range a.Categories {
		add(c.Names)
	}
	for _, p := range a.Phases {
		add(p.Names)
	}
	var out []string
	for _, l := range slices.Sorted(maps.Keys(count)) {
		out = append(out, fmt.Sprintf("%s %d of %d", l, count[l], total))
	}
	return strings.Join(out, ", ")
}
