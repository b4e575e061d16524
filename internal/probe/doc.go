// Package probe holds no code: its tests feed the real backstage binary
// bad input, case by case — command lines (TestProbe) and, to a running
// "backstage serve", HTTP requests (TestProbeServer) — and check that
// each is refused as a user's mistake should be, within bounds of time
// and memory. It is the reproducible form of a tester's probe, run by CI
// with the other tests;
//
//	go test -v -run TestProbe ./internal/probe
//
// prints each case's exit status, time and peak memory.
//
// Each case runs in a folder of its own, holding the files the case
// gives it and nothing else, so that "no file written" means the folder
// is as it was. To probe more, add a case to the table of its kind.
package probe
