package agreement

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// SchemaJSON is the JSON Schema of the agreement file format.
//
//go:embed schema.json
var SchemaJSON []byte

// maxNodes bounds the work of expanding YAML aliases, so that a file of a
// few kilobytes cannot expand to gigabytes ("billion laughs").
const maxNodes = 2_000_000

var compiled = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(SchemaJSON))
	if err != nil {
		return nil, fmt.Errorf("agreement schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("agreement.schema.json", doc); err != nil {
		return nil, fmt.Errorf("agreement schema: %w", err)
	}
	return c.Compile("agreement.schema.json")
})

var printer = message.NewPrinter(language.English)

// tree is a YAML document converted to JSON-like values, remembering the
// node behind every JSON pointer so schema errors map back to positions.
type tree struct {
	nodes map[string]*yaml.Node
	count int
	probs []Problem
	file  string
}

func (t *tree) add(n *yaml.Node, format string, args ...any) {
	t.probs = append(t.probs, Problem{File: t.file, Line: n.Line, Col: n.Column, Msg: fmt.Sprintf(format, args...)})
}

func escapePtr(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

var errTooLarge = errors.New("document too large after expanding aliases")

// value converts n to a JSON-compatible value (map[string]any, []any,
// string, json.Number, float64, bool, nil).
func (t *tree) value(n *yaml.Node, ptr string) (any, error) {
	t.count++
	if t.count > maxNodes {
		return nil, errTooLarge
	}
	t.nodes[ptr] = n
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return t.value(n.Content[0], ptr)
	case yaml.AliasNode:
		v, err := t.value(n.Alias, ptr)
		t.nodes[ptr] = n
		return v, err
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind == yaml.AliasNode {
				k = k.Alias
			}
			if k.Kind != yaml.ScalarNode {
				t.add(k, "mapping key must be a plain string")
				continue
			}
			if k.Tag == "!!merge" {
				t.add(k, "merge keys (<<) are not supported")
				continue
			}
			if _, dup := m[k.Value]; dup {
				t.add(k, "duplicate key %q", k.Value)
				continue
			}
			cv, err := t.value(v, ptr+"/"+escapePtr(k.Value))
			if err != nil {
				return nil, err
			}
			m[k.Value] = cv
			t.nodes[ptr+"/"+escapePtr(k.Value)+"#key"] = k
		}
		return m, nil
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for i, c := range n.Content {
			cv, err := t.value(c, ptr+"/"+strconv.Itoa(i))
			if err != nil {
				return nil, err
			}
			s = append(s, cv)
		}
		return s, nil
	case yaml.ScalarNode:
		return scalar(n), nil
	}
	return nil, nil
}

func scalar(n *yaml.Node) any {
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err == nil {
			return b
		}
	case "!!int":
		var i int64
		if err := n.Decode(&i); err == nil {
			return json.Number(strconv.FormatInt(i, 10))
		}
	case "!!float":
		var f float64
		if err := n.Decode(&f); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
		}
	}
	return n.Value
}

// validate checks v against the schema and records each leaf error at the
// position of the offending node.
func (t *tree) validate(v any) error {
	sch, err := compiled()
	if err != nil {
		return err
	}
	err = sch.Validate(v)
	var ve *jsonschema.ValidationError
	if err == nil {
		return nil
	} else if !errors.As(err, &ve) {
		return err
	}
	t.leaves(ve)
	return nil
}

func (t *tree) leaves(ve *jsonschema.ValidationError) {
	if len(ve.Causes) > 0 {
		for _, c := range ve.Causes {
			t.leaves(c)
		}
		return
	}
	ptr := ""
	for _, s := range ve.InstanceLocation {
		ptr += "/" + escapePtr(s)
	}
	n := t.nodes[ptr]
	if n == nil {
		n = t.nodes[""]
	}
	where := location(ve.InstanceLocation)
	switch k := ve.ErrorKind.(type) {
	case *kind.AdditionalProperties:
		for _, p := range k.Properties {
			kn := t.nodes[ptr+"/"+escapePtr(p)+"#key"]
			if kn == nil {
				kn = n
			}
			t.add(kn, "unknown key %q%s", p, in(where))
		}
		return
	case *kind.Required:
		t.add(n, "missing required key%s %s%s", plural(len(k.Missing)), quoteAll(k.Missing), in(where))
		return
	}
	t.add(n, "%s%s", ve.ErrorKind.LocalizedString(printer), at(where))
}

// location formats an instance location as parties[1].name.
func location(segs []string) string {
	var b strings.Builder
	for _, s := range segs {
		if _, err := strconv.Atoi(s); err == nil {
			b.WriteString("[" + s + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s)
	}
	return b.String()
}

func in(where string) string {
	if where == "" {
		return " at top level"
	}
	return " in " + where
}

func at(where string) string {
	if where == "" {
		return ""
	}
	return " (at " + where + ")"
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}
