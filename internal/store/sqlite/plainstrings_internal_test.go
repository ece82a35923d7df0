package sqlite

import (
	"encoding/json"
	"slices"
	"testing"
)

// TestPlainStrings checks the fast reading of json_group_array against
// encoding/json: the same strings where it reads, and encoding/json
// left to read what it does not.
func TestPlainStrings(t *testing.T) {
	for _, tc := range []struct {
		in   string
		read bool // by plainStrings
	}{
		{`[]`, true},
		{`[""]`, true},
		{`["",""]`, true},
		{`["viina_incidents_202503.csv:4318"]`, true},
		{`["a","b","c"]`, true},
		{`["Київ","b"]`, true},
		{`["a\"b"]`, false},     // an escape
		{`["a\",\"b"]`, false},  // an escaped separator
		{`["a\u0041"]`, false},  // a unicode escape
		{`["a", "b"]`, false},   // spaces: not json_group_array's form
		{`["a","b",]`, false},   // not JSON
		{`["a"`, false},         // cut short
		{`[1,2]`, false},        // not strings
		{"[\"a\xffb\"]", false}, // not UTF-8
		{"[\"a\x01b\"]", false}, // a control character
		{`[null]`, false},
	} {
		got, ok := plainStrings(tc.in)
		if ok != tc.read {
			t.Errorf("plainStrings(%s) read it: %v, want %v", tc.in, ok, tc.read)
		}
		if !ok {
			continue
		}
		var want []string
		if err := json.Unmarshal([]byte(tc.in), &want); err != nil {
			t.Errorf("plainStrings read %s, which encoding/json refuses: %v", tc.in, err)
		} else if !slices.Equal(got, want) || got == nil {
			t.Errorf("plainStrings(%s) = %q, encoding/json reads %q", tc.in, got, want)
		}
	}
}

// FuzzPlainStrings checks that what plainStrings reads, encoding/json
// reads the same.
func FuzzPlainStrings(f *testing.F) {
	for _, s := range []string{`[]`, `[""]`, `["a","b"]`, `["a\"b"]`, `["a", "b"]`, `["Київ"]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, ok := plainStrings(in)
		if !ok {
			return
		}
		var want []string
		if err := json.Unmarshal([]byte(in), &want); err != nil {
			t.Fatalf("plainStrings read %q as %q, which encoding/json refuses: %v", in, got, err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("plainStrings(%q) = %q, encoding/json reads %q", in, got, want)
		}
	})
}
