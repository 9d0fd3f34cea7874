package main

import (
	"fmt"
	"net"
	"strings"
)

// checkLoopback accepts only listen addresses on the loopback interface
// (127.0.0.0/8, ::1, localhost). Anyone who can reach the emulator can read
// its admin endpoints without a token, so it must not be reachable from
// other machines.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("invalid listen address %q: %w", addr, err)
	}
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("refusing to listen on %q: the emulator only listens on loopback addresses (127.0.0.0/8, ::1, localhost), "+
		"because its admin endpoints have no authentication", addr)
}
