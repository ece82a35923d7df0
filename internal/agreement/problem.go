package agreement

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Problem is one thing wrong with an agreement file, at a position.
type Problem struct {
	File      string
	Line, Col int
	Msg       string
}

// String formats p as FILE:LINE:COL: message.
func (p Problem) String() string {
	return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Col, p.Msg)
}

// Problems is every problem found in an agreement file and the files it
// names (a places file), sorted by file, the agreement file first, then by
// position. It is the error Parse returns when a file is invalid.
type Problems []Problem

// Error lists the problems, one per line.
func (ps Problems) Error() string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.String())
	}
	return b.String()
}

func (ps Problems) sorted(main string) Problems {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		return cmp.Or(-cmp.Compare(b2i(a.File == main), b2i(b.File == main)), strings.Compare(a.File, b.File),
			cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col), strings.Compare(a.Msg, b.Msg))
	})
	return slices.Compact(ps)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
