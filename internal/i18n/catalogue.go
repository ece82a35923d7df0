package i18n

import (
	"fmt"
	"regexp"
	"strings"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// catalogue is one language's messages, parsed once. Explanations render
// dozens of messages per judged report, so the common template, plain
// text with {{.Field}} substitutions, is rendered here without
// text/template; any other template goes through go-i18n.
type catalogue struct {
	tag  language.Tag
	msgs map[string]map[plural.Form]*tmpl
}

// tmpl is one plural form of a message.
type tmpl struct {
	parts  []part // nil when slow is set
	slow   *goi18n.MessageTemplate
	fields []string // the fields a slow template uses
	form   plural.Form
}

// part is a literal or a field of a simple template.
type part struct {
	lit, field string
}

var (
	simpleField  = regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)
	placeholders = regexp.MustCompile(`\.(\w+)`)
)

func newCatalogue(tag language.Tag, ms []*goi18n.Message) *catalogue {
	c := &catalogue{tag: tag, msgs: map[string]map[plural.Form]*tmpl{}}
	for _, m := range ms {
		forms := map[plural.Form]*tmpl{}
		for f, src := range map[plural.Form]string{plural.Zero: m.Zero, plural.One: m.One, plural.Two: m.Two,
			plural.Few: m.Few, plural.Many: m.Many, plural.Other: m.Other} {
			if src != "" || f == plural.Other {
				forms[f] = compile(m, f, src)
			}
		}
		c.msgs[m.ID] = forms
	}
	return c
}

func compile(m *goi18n.Message, f plural.Form, src string) *tmpl {
	rest := simpleField.ReplaceAllString(src, "")
	if strings.Contains(rest, "{{") {
		t := &tmpl{slow: goi18n.NewMessageTemplate(m), form: f}
		for _, sm := range placeholders.FindAllStringSubmatch(src, -1) {
			t.fields = append(t.fields, sm[1])
		}
		return t
	}
	var parts []part
	for {
		loc := simpleField.FindStringSubmatchIndex(src)
		if loc == nil {
			break
		}
		if loc[0] > 0 {
			parts = append(parts, part{lit: src[:loc[0]]})
		}
		parts = append(parts, part{field: src[loc[2]:loc[3]]})
		src = src[loc[1]:]
	}
	if src != "" || parts == nil {
		parts = append(parts, part{lit: src})
	}
	return &tmpl{parts: parts, form: f}
}

// Filler writes the value of template field name into b.
type Filler func(b *strings.Builder, name string)

// write writes message id's form for count (nil: none) into b, filling
// its fields with fill; false if the catalogue lacks id.
func (c *catalogue) write(b *strings.Builder, id string, count *int, fill Filler) bool {
	forms, ok := c.msgs[id]
	if !ok {
		return false
	}
	t := forms[plural.Other]
	if count != nil {
		n := *count
		if n < 0 {
			n = -n
		}
		if ft, ok := forms[plural.Cardinal.MatchPlural(c.tag, n, 0, 0, 0, 0)]; ok {
			t = ft
		}
	}
	if t.slow != nil {
		data := map[string]any{}
		for _, f := range t.fields {
			var fb strings.Builder
			fill(&fb, f)
			data[f] = fb.String()
		}
		s, err := t.execSlow(data)
		b.WriteString(s)
		return err == nil
	}
	for _, p := range t.parts {
		if p.field == "" {
			b.WriteString(p.lit)
			continue
		}
		fill(b, p.field)
	}
	return true
}

// field returns the value named name in kv, or "<no value>" as
// text/template writes it.
func field(kv []any, name string) string {
	for i := 0; i+1 < len(kv); i += 2 {
		if k, _ := kv[i].(string); k == name {
			if s, ok := kv[i+1].(string); ok {
				return s
			}
			return fmt.Sprint(kv[i+1])
		}
	}
	return "<no value>"
}

// execSlow runs a template that is more than field substitutions through
// go-i18n (text/template). Its plural form type is internal to go-i18n:
// only constants convert to it.
func (t *tmpl) execSlow(data map[string]any) (string, error) {
	switch t.form {
	case plural.Zero:
		return t.slow.Execute("zero", data, nil)
	case plural.One:
		return t.slow.Execute("one", data, nil)
	case plural.Two:
		return t.slow.Execute("two", data, nil)
	case plural.Few:
		return t.slow.Execute("few", data, nil)
	case plural.Many:
		return t.slow.Execute("many", data, nil)
	}
	return t.slow.Execute("other", data, nil)
}
