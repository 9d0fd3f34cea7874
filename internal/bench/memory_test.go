package bench

import (
	"strings"
	"testing"
)

func TestParseReattachLine(t *testing.T) {
	config := `{"registry.terraform.io/teamviewer-community/teamviewer":{"Protocol":"grpc","ProtocolVersion":6,"Pid":42,"Test":true,"Addr":{"Network":"unix","String":"/tmp/plugin1"}}}`
	tests := []struct {
		line   string
		want   string
		wantOK bool
	}{
		{"\tTF_REATTACH_PROVIDERS='" + config + "'", config, true},
		{"Provider started. To attach Terraform CLI, set the TF_REATTACH_PROVIDERS environment variable with the following:", "", false},
		{"\tTF_REATTACH_PROVIDERS='" + config, "", false},                // unterminated
		{"\tTF_REATTACH_PROVIDERS='{\"other/provider\":{}}'", "", false}, // another provider
		{"\tTF_REATTACH_PROVIDERS='not json'", "", false},
	}
	for _, tt := range tests {
		got, ok := parseReattachLine(tt.line)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("parseReattachLine(%q) = %q, %v; want %q, %v", tt.line, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestProcFields(t *testing.T) {
	status := "Name:\tterraform-provi\nVmPeak:\t 1300000 kB\nVmHWM:\t   51200 kB\nVmRSS:\t   40000 kB\n"
	if got := procKiB(procField(strings.NewReader(status), "VmHWM")); got != 50<<20 {
		t.Errorf("VmHWM = %d bytes, want 50 MiB", got)
	}
	cpuinfo := "processor\t: 0\nmodel name\t: Test CPU @ 2.0GHz\nflags\t\t: fpu\n"
	if got := procField(strings.NewReader(cpuinfo), "model name"); got != "Test CPU @ 2.0GHz" {
		t.Errorf("model name = %q", got)
	}
	if got := procField(strings.NewReader(cpuinfo), "MemTotal"); got != "" {
		t.Errorf("absent field = %q", got)
	}
	for _, bad := range []string{"", "12 MB", "x kB"} {
		if got := procKiB(bad); got != 0 {
			t.Errorf("procKiB(%q) = %d, want 0", bad, got)
		}
	}
}
