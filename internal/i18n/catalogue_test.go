package i18n_test

import (
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"testing"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"

	"truce/internal/i18n"
)

// messages parses one language's message file.
func messages(t *testing.T, lang string) map[string]*goi18n.Message {
	t.Helper()
	p := path.Join("locales", lang+".yaml")
	buf, err := fs.ReadFile(i18n.Files(), p)
	if err != nil {
		t.Fatal(err)
	}
	mf, err := goi18n.ParseMessageFileBytes(buf, p, map[string]goi18n.UnmarshalFunc{"yaml": yaml.Unmarshal})
	if err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	m := map[string]*goi18n.Message{}
	for _, msg := range mf.Messages {
		m[msg.ID] = msg
	}
	return m
}

// forms returns a message's plural forms that are set.
func forms(m *goi18n.Message) map[plural.Form]string {
	out := map[plural.Form]string{}
	for f, s := range map[plural.Form]string{plural.Zero: m.Zero, plural.One: m.One, plural.Two: m.Two,
		plural.Few: m.Few, plural.Many: m.Many, plural.Other: m.Other} {
		if s != "" {
			out[f] = s
		}
	}
	return out
}

// requiredForms returns the plural forms CLDR's cardinal rules give lang
// for whole numbers, and "other" (fractions, and go-i18n's fallback).
func requiredForms(lang string) []plural.Form {
	tag := language.MustParse(lang)
	set := map[plural.Form]bool{plural.Other: true}
	for n := 0; n <= 1000; n++ {
		set[plural.Cardinal.MatchPlural(tag, n, 0, 0, 0, 0)] = true
	}
	var out []plural.Form
	for f := range set {
		out = append(out, f)
	}
	slices.Sort(out)
	return out
}

// TestCatalogueParity fails when a message id exists in one language and
// not in another.
func TestCatalogueParity(t *testing.T) {
	en := messages(t, "en")
	if len(en) == 0 {
		t.Fatal("en.yaml has no messages")
	}
	for _, lang := range i18n.Langs[1:] {
		other := messages(t, lang)
		for _, id := range sortedIDs(en) {
			if _, ok := other[id]; !ok {
				t.Errorf("%s.yaml lacks %q (in en.yaml)", lang, id)
			}
		}
		for _, id := range sortedIDs(other) {
			if _, ok := en[id]; !ok {
				t.Errorf("%s.yaml has %q, which en.yaml lacks", lang, id)
			}
		}
	}
}

// TestCataloguePlurals fails when a message with plural forms in any
// language lacks a form that CLDR requires in another: Ukrainian and
// Russian need one, few, many and other.
func TestCataloguePlurals(t *testing.T) {
	all := map[string]map[string]*goi18n.Message{}
	plurals := map[string]bool{}
	for _, lang := range i18n.Langs {
		all[lang] = messages(t, lang)
		for id, m := range all[lang] {
			if len(forms(m)) > 1 || m.One != "" {
				plurals[id] = true
			}
		}
	}
	if len(plurals) == 0 {
		t.Fatal("no message has plural forms")
	}
	for _, lang := range i18n.Langs {
		req := requiredForms(lang)
		for id := range plurals {
			m, ok := all[lang][id]
			if !ok {
				continue // TestCatalogueParity reports it
			}
			got := forms(m)
			for _, f := range req {
				if _, ok := got[f]; !ok {
					t.Errorf("%s.yaml %q lacks the plural form %s", lang, id, formName[f])
				}
			}
		}
	}
}

var formName = map[plural.Form]string{plural.Other: "other", plural.Zero: "zero", plural.One: "one",
	plural.Two: "two", plural.Few: "few", plural.Many: "many"}

var placeholder = regexp.MustCompile(`\{\{\s*\.(\w+)`)

// TestCataloguePlaceholders fails when a translation uses a template field
// that the English message does not: the Go code fills only those.
func TestCataloguePlaceholders(t *testing.T) {
	fields := func(m *goi18n.Message) []string {
		set := map[string]bool{}
		for _, s := range forms(m) {
			for _, sm := range placeholder.FindAllStringSubmatch(s, -1) {
				set[sm[1]] = true
			}
		}
		var out []string
		for f := range set {
			out = append(out, f)
		}
		sort.Strings(out)
		return out
	}
	en := messages(t, "en")
	for _, lang := range i18n.Langs[1:] {
		for id, m := range messages(t, lang) {
			e, ok := en[id]
			if !ok {
				continue
			}
			want := fields(e)
			for _, f := range fields(m) {
				if !slices.Contains(want, f) && f != "Count" {
					t.Errorf("%s.yaml %q uses {{.%s}}, which en.yaml's message does not", lang, id, f)
				}
			}
		}
	}
}

func sortedIDs(m map[string]*goi18n.Message) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}
