package main

import (
	"strings"
	"testing"
)

func TestCheckLoopback(t *testing.T) {
	tests := []struct {
		addr    string
		allowed bool
	}{
		{"127.0.0.1:8417", true},
		{"127.4.5.6:8417", true},
		{"[::1]:8417", true},
		{"localhost:8417", true},
		{"LocalHost:0", true},
		{"0.0.0.0:8417", false},
		{":8417", false},
		{"[::]:8417", false},
		{"192.168.1.10:8417", false},
		{"10.0.0.1:8417", false},
		{"[fe80::1]:8417", false},
		{"example.com:8417", false},
		{"127.0.0.1", false}, // no port
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			err := checkLoopback(tt.addr)
			if (err == nil) != tt.allowed {
				t.Errorf("checkLoopback(%q) = %v, want allowed %v", tt.addr, err, tt.allowed)
			}
		})
	}
}

func TestServeRefusesNonLoopbackAddress(t *testing.T) {
	var stderr strings.Builder
	code := run(t.Context(), []string{"serve", "-addr", "0.0.0.0:8417", "-token", "t"}, noEnv, nil, &stderr)
	if code == 0 || !strings.Contains(stderr.String(), "refusing to listen on \"0.0.0.0:8417\"") {
		t.Errorf("exit %d, stderr %q; want a refusal", code, stderr.String())
	}
}

func noEnv(string) string { return "" }
