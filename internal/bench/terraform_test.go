package bench

import (
	"slices"
	"testing"
)

func TestIsolatedEnviron(t *testing.T) {
	got := isolatedEnviron([]string{"PATH=/bin", "TF_LOG=trace", "TEAMVIEWER_TENANT_URL=https://x", "HOME=/root", "CHECKPOINT_DISABLE="})
	if !slices.Equal(got, []string{"PATH=/bin", "HOME=/root"}) {
		t.Errorf("isolatedEnviron = %v", got)
	}
}

func TestTail(t *testing.T) {
	if got := tail("a\n\nb\nc\n\n", 2); got != "b\nc" {
		t.Errorf("tail = %q", got)
	}
	if got := tail("a", 5); got != "a" {
		t.Errorf("tail = %q", got)
	}
}

func TestCommandsUseTheFloorsParallelism(t *testing.T) {
	for _, c := range []command{applyCommand, destroyCommand, planCommand} {
		if !slices.Contains(c.args, "-parallelism=10") || !slices.Contains(c.args, "-input=false") {
			t.Errorf("terraform %v: want -parallelism=%d and -input=false", c.args, Parallelism)
		}
	}
}
