package apps

import (
	"os"
	"testing"

	"github.com/backstage-epg/backstage/internal/testkit"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testkit.RemoveBinary()
	os.Exit(code)
}
