package adjudicate_test

import (
	"testing"
	"unicode/utf8"

	"truce"
)

// FuzzJudgeText: any report text is judged without panicking, and every
// fact the text established points at its own words: the offsets lie in
// the text and the words there are the words the evidence names.
func FuzzJudgeText(f *testing.F) {
	for _, s := range []string{
		"Росіяни вдарили по енергооб’єкту у Херсоні: Сибіга заявив, що РФ знову порушила домовленості",
		"СБУ затримала агента РФ, який планував навести російський удар на електропідстанцію",
		"Кремль звинуватив Україну у вибуху на газовимірювальній станції \"Суджа\".",
		"Russian forces struck Kramatorsk. Damage to energy infrastructure reported.",
		"й\u0306 combining, ‘quotes’ and ʼapostrophesʼ — с. Дніпро 2.5 обл. ",
		"", ".", "- - -", "\x00\xff\xfe", "ЗСУ ЗСУ ЗСУ атакували атакували",
	} {
		f.Add(s)
	}
	j := mustScenarioJudge(f)
	f.Fuzz(func(t *testing.T, s string) {
		r := viinaReport("2025-04-01", khersonLon, khersonLat, "", s)
		jd := j.Judge(r)
		if jd.Outcome == 0 {
			t.Fatalf("no outcome for %q", s)
		}
		if !utf8.ValidString(s) {
			return // offsets count code points of valid text
		}
		rs := []rune(s)
		for _, ev := range jd.Facts.Evidence {
			if ev.Basis != truce.BasisText && ev.Basis != truce.BasisPlace {
				continue
			}
			if ev.Start < 0 || ev.End > len(rs) || ev.Start > ev.End {
				t.Fatalf("evidence %s [%d,%d) outside a text of %d code points: %q", ev.Fact, ev.Start, ev.End, len(rs), s)
			}
			if got := string(rs[ev.Start:ev.End]); got != ev.Words {
				t.Fatalf("evidence %s: text[%d:%d] = %q, want %q (text %q)", ev.Fact, ev.Start, ev.End, got, ev.Words, s)
			}
		}
	})
}
