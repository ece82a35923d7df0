//go:build !race

package importer

// raceEnabled scales the oracle tests down under the race detector, which
// makes them some ten times slower; they run in full without it.
const raceEnabled = false
