package sensor

import (
	"bytes"
	"math/bits"

	"truce"
	"truce/internal/geo"
	"truce/internal/importer"
)

// lines calls fn for every non-blank line of b with its number, until fn
// returns false.
func (b *block) lines(fn func(line int, text []byte) bool) {
	data, line := b.data, b.line
	for len(data) > 0 {
		text := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			text, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		n := line
		line++
		if len(text) == 0 || (len(text) == 1 && text[0] == '\r') {
			continue
		}
		if !fn(n, text) {
			return
		}
	}
}

// judgeBlock parses and judges every line of b into b.out, in one pass.
func (j *judgeRun) judgeBlock(b *block, p *importer.FIRMSParser, an *answerer) {
	j.takeOut(b)
	if b.long {
		j.badRow(b, b.line, truce.Errorf(truce.EINVALID, "line longer than %d bytes", importer.MaxFIRMSLineBytes))
		return
	}
	var pt importer.FIRMSPoint
	b.lines(func(line int, text []byte) bool {
		b.st.Read++
		if err := p.ParsePoint(text, &pt); err != nil {
			return !j.badRow(b, line, err)
		}
		b.st.Accepted++
		b.out = an.answer(b.out, line, pt.Location, pt.Unix, confCode(pt.Confidence), &pt.Text, &b.st)
		return true
	})
}

// parseBlock parses every line of b into b.rows, with the text they echo
// in b.text, and gives the block's input buffer back.
func (j *judgeRun) parseBlock(b *block, p *importer.FIRMSParser) {
	defer func() {
		j.putBuffer(b.data)
		b.data = nil
	}()
	if b.long {
		j.badRow(b, b.line, truce.Errorf(truce.EINVALID, "line longer than %d bytes", importer.MaxFIRMSLineBytes))
		return
	}
	var pt importer.FIRMSPoint
	n := bytes.Count(b.data, []byte{'\n'}) + 1
	b.rows = make([]row, 0, n)
	b.text = make([]byte, 0, 24*n)
	keep := func(s []byte) textSpan {
		sp := textSpan{uint32(len(b.text)), uint16(len(s))}
		b.text = append(b.text, s...)
		return sp
	}
	b.lines(func(line int, text []byte) bool {
		b.st.Read++
		if err := p.ParsePoint(text, &pt); err != nil {
			return !j.badRow(b, line, err)
		}
		b.st.Accepted++
		b.rows = append(b.rows, row{line: line, p: pt.Location, t: pt.Unix, conf: confCode(pt.Confidence),
			lat: keep(pt.Text.Lat), lon: keep(pt.Text.Lon), frp: keep(pt.Text.FRP)})
		return true
	})
}

// answerRows answers the parsed rows of b into b.out.
func (j *judgeRun) answerRows(b *block, an *answerer) {
	j.takeOut(b)
	var st Stats
	var txt importer.FIRMSText
	for _, r := range b.rows {
		txt.Lat, txt.Lon, txt.FRP = r.lat.of(b.text), r.lon.of(b.text), r.frp.of(b.text)
		b.out = an.answer(b.out, r.line, r.p, r.t, r.conf, &txt, &st)
	}
	b.st.NearSite, b.st.InZone, b.st.Alerts = st.NearSite, st.InZone, st.Alerts
	b.rows, b.text = nil, nil
}

// badRow records a bad row and reports whether it stops the run.
func (j *judgeRun) badRow(b *block, line int, err error) bool {
	b.st.Rejected++
	b.bad = append(b.bad, j.rowError(line, err))
	if j.opt.Strict {
		b.failed = true
	}
	return b.failed
}

// answerer writes answers; each worker has its own.
type answerer struct {
	j     *judgeRun
	mask  []uint64
	lastT int64  // the last time written,
	time  []byte // and its text (consecutive rows of a granule share it)
}

// answer appends the answer for one row. The position and FRP are written
// as the input has them (they are numbers, and numbers need no quoting).
func (an *answerer) answer(out []byte, line int, p geo.Point, t int64, conf uint8, txt *importer.FIRMSText, st *Stats) []byte {
	ix := an.j.ix
	if an.mask == nil {
		an.mask = make([]uint64, ix.zones.zw)
	}
	mask := an.mask
	site, d, near, alert := ix.judgePoint(p, t)
	ix.zones.Mask(p, mask)
	out = appendInt(out, line)
	out = append(out, ',')
	out = append(out, txt.Lon...)
	out = append(out, ',')
	out = append(out, txt.Lat...)
	out = append(out, ',')
	if an.time == nil || t != an.lastT {
		an.lastT, an.time = t, appendTime(an.time[:0], t)
	}
	out = append(out, an.time...)
	out = append(out, ',')
	if near {
		st.NearSite++
		out = append(out, ix.siteField(site)...)
		out = append(out, ',')
		out = appendFixed(out, d, 3)
	} else {
		out = append(out, ',')
	}
	out = append(out, ',')
	inZone := false
	for wi, m := range mask {
		for m != 0 {
			k := bits.TrailingZeros64(m)
			m &= m - 1
			if inZone {
				out = append(out, '|')
			}
			inZone = true
			out = append(out, ix.zoneField(wi*64+k)...)
		}
	}
	if inZone {
		st.InZone++
	}
	out = append(out, ',')
	if alert {
		st.Alerts++
		out = append(out, "alert"...)
	}
	out = append(out, ',')
	out = append(out, txt.FRP...)
	out = append(out, ',')
	out = append(out, confText[conf]...)
	return append(out, '\n')
}
