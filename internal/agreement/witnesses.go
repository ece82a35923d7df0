package agreement

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"truce"
)

// cosignatureAlg is the key type of a C2SP tlog-cosignature/v1 key
// (timestamped Ed25519 cosignatures).
const cosignatureAlg = 0x04

// witnesses reads the witness policy:
//
//	witnesses:
//	  threshold: 2
//	  list:
//	    - name: witness.ua.example
//	      party: UA
//	      key: witness.ua.example+1a2b3c4d+BA...
//	      url: https://witness.ua.example/
func (p *parser) witnesses(n *yaml.Node, a *truce.Agreement) *truce.WitnessPolicy {
	if n == nil {
		return nil
	}
	w := &truce.WitnessPolicy{}
	seen := map[string]bool{}
	for _, c := range items(field(n, "list")) {
		wt := truce.Witness{Name: str(field(c, "name")), Key: str(field(c, "key")), URL: str(field(c, "url"))}
		if pn := field(c, "party"); pn != nil {
			p.partyRef(pn, a, false)
			wt.Party = truce.PartyID(str(pn))
		}
		if why := checkWitnessKey(wt.Key, wt.Name); why != "" {
			p.add(c, "witness %q: %s", wt.Name, why)
		}
		if u, err := url.Parse(wt.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			p.add(c, "witness %q: url %q is not an http(s) URL", wt.Name, wt.URL)
		}
		if seen[wt.Name] {
			p.add(c, "witness %q is listed twice", wt.Name)
		}
		seen[wt.Name] = true
		w.Witnesses = append(w.Witnesses, wt)
	}
	tn := field(n, "threshold")
	t, err := strconv.Atoi(str(tn))
	switch {
	case tn == nil: // the schema says it is missing
	case len(w.Witnesses) == 0:
		p.add(n, "witnesses: the list is empty")
	case err != nil || t < 1 || t > len(w.Witnesses):
		p.add(tn, "witnesses: threshold %q must be a whole number from 1 to %d (the witnesses listed)", str(tn), len(w.Witnesses))
	default:
		w.Threshold = t
	}
	return w
}

// checkWitnessKey says what is wrong with a cosignature verifier key
// "<name>+<hash>+<key>" for a witness called name ("" if nothing): the
// key's name must be the witness's, its hash the note key hash of name
// and key, and the key a tlog-cosignature/v1 Ed25519 key.
func checkWitnessKey(vkey, name string) string {
	if vkey == "" {
		return "key is missing (its cosignature verifier key, <name>+<hash>+<key>)"
	}
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) != 3 {
		return fmt.Sprintf("key %q is not <name>+<hash>+<key>", vkey)
	}
	kname, khash, kb64 := parts[0], parts[1], parts[2]
	if kname != name {
		return fmt.Sprintf("key is for %q, not for the witness's name", kname)
	}
	key, err := base64.StdEncoding.DecodeString(kb64)
	if err != nil || len(key) != 33 || key[0] != cosignatureAlg {
		return "key is not a tlog-cosignature/v1 (Ed25519, type 0x04) verifier key"
	}
	h, err := strconv.ParseUint(khash, 16, 32)
	if err != nil || len(khash) != 8 || uint32(h) != keyHash(kname, key) {
		return fmt.Sprintf("key hash %q does not match its name and key", khash)
	}
	return ""
}

// keyHash is the note key hash: the first four bytes of
// SHA-256(name || "\n" || key), big-endian.
func keyHash(name string, key []byte) uint32 {
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte("\n"))
	h.Write(key)
	return binary.BigEndian.Uint32(h.Sum(nil))
}
