package exitcode

import (
	"errors"
	"fmt"
	"testing"
)

func TestOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"Nil", nil, OK},
		{"Plain", errors.New("boom"), Failed},
		{"Usage", Newf(Usage, "bad flag %q", "-x"), Usage},
		{"WrappedTarget", fmt.Errorf("preflight: %w", New(TargetUnusable, errors.New("refused"))), TargetUnusable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Of(tt.err); got != tt.want {
				t.Errorf("Of(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
	if New(Usage, nil) != nil {
		t.Error("New(code, nil) must stay nil")
	}
}
