// Package probe holds no code: its tests feed the real backstage binary
// bad input, case by case — command lines (TestProbe) and, to a running
// "backstage serve", HTTP requests (TestProbeServer) — and check that
// each is refused as a user's mistake should be, within bounds of time
// and memory. Two more tables run what must work within bounds: commands
// at the limits of what a schedule file may give (TestProbeBounds), and
// commands, of both programs, stopped by a signal while they wait on a
// named pipe or a stuck reader (TestProbeSignals). It is the reproducible
// form of a tester's probe, run by CI with the other tests;
//
//	go test -v -run TestProbe ./internal/probe
//
// prints each case's exit status, time and peak memory.
//
// Each case runs in a folder of its own, holding the files the case
// gives it and nothing else, so that "no file written" means the folder
// is as it was. To probe more, add a case to the table of its kind.
package probe
