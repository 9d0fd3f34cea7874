package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Machine describes where the bench ran, so that its numbers can be read in context. It holds
// no local paths.
type Machine struct {
	CPUs             int
	CPUModel         string // empty when unknown
	MemoryBytes      int64  // 0 when unknown
	OS, Arch         string
	GoVersion        string
	TerraformVersion string // empty when unknown
	// LoadAverage is the one-minute load average when the run started, empty when unknown:
	// other work on the machine makes timings noisy.
	LoadAverage string
	Date        time.Time
}

// describeMachine gathers the Machine; what it cannot find stays empty.
func describeMachine(ctx context.Context, terraform string) Machine {
	m := Machine{
		CPUs:      runtime.NumCPU(),
		OS:        runtime.GOOS,
		Arch:      runtime.GOARCH,
		GoVersion: runtime.Version(),
		Date:      time.Now().UTC(),
	}
	if cpuinfo, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		m.CPUModel = procField(bytes.NewReader(cpuinfo), "model name")
	}
	if meminfo, err := os.ReadFile("/proc/meminfo"); err == nil {
		m.MemoryBytes = procKiB(procField(bytes.NewReader(meminfo), "MemTotal"))
	}
	if loadavg, err := os.ReadFile("/proc/loadavg"); err == nil {
		m.LoadAverage, _, _ = strings.Cut(string(loadavg), " ")
	}
	version := exec.CommandContext(ctx, terraform, "version", "-json")
	version.Env = append(isolatedEnviron(os.Environ()), checkpointDisable)
	out, err := version.Output()
	if err == nil {
		var v struct {
			Version string `json:"terraform_version"`
		}
		if json.Unmarshal(out, &v) == nil {
			m.TerraformVersion = v.Version
		}
	}
	return m
}

// rows are the label and value of each line of the report's machine table.
func (m Machine) rows() [][2]string {
	orUnknown := func(s string) string {
		if s == "" {
			return "unknown"
		}
		return s
	}
	memory := "unknown"
	if m.MemoryBytes > 0 {
		memory = strconv.FormatFloat(float64(m.MemoryBytes)/(1<<30), 'f', 1, 64) + " GiB"
	}
	return [][2]string{
		{"CPUs (nproc)", strconv.Itoa(m.CPUs)},
		{"CPU model", orUnknown(m.CPUModel)},
		{"memory", memory},
		{"OS/architecture", m.OS + "/" + m.Arch},
		{"Go", m.GoVersion},
		{"Terraform", orUnknown(m.TerraformVersion)},
		{"load average at start (1 min)", orUnknown(m.LoadAverage)},
		{"date", m.Date.Format("2006-01-02 15:04 UTC")},
	}
}

// procField returns the value of the first "key: value" line of a /proc file such as
// /proc/cpuinfo ("model name\t: ...") or /proc/<pid>/status ("VmHWM:\t 1234 kB"); empty when
// the key is absent.
func procField(f io.Reader, key string) string {
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		name, value, found := strings.Cut(scanner.Text(), ":")
		if found && strings.TrimSpace(name) == key {
			return strings.TrimSpace(value)
		}
	}
	return ""
}

// procKiB parses a /proc size such as "1234 kB" into bytes; 0 when it cannot.
func procKiB(value string) int64 {
	number, unit, _ := strings.Cut(value, " ")
	kib, err := strconv.ParseInt(number, 10, 64)
	if err != nil || strings.TrimSpace(unit) != "kB" {
		return 0
	}
	return kib << 10
}
