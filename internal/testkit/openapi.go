package testkit

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// APIAnswer is one answer of the JSON API, as CheckOpenAPI checks it.
type APIAnswer struct {
	Method string `json:"method"`
	Path   string `json:"path"` // from the API's root, with its query: "/days/2003-06-16.json"
	Status int    `json:"status"`
	Type   string `json:"type"` // its Content-Type
	Body   string `json:"body"`
}

// GetAnswer asks base (the API's root, such as
// "http://127.0.0.1:8080/api/v1") for path and returns the answer.
func GetAnswer(t testing.TB, base, path string) APIAnswer {
	t.Helper()
	resp, err := http.Get(strings.TrimSuffix(base, "/") + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return APIAnswer{Method: "GET", Path: path, Status: resp.StatusCode, Type: resp.Header.Get("Content-Type"), Body: string(body)}
}

// CheckOpenAPI checks doc, an OpenAPI 3.1 document, against the
// specification's schema, and each answer against doc (its path and
// operation, its status and type, its body's schema), with
// openapi_check.mjs beside this file and the validators from npm that
// .ci/package-lock.json pins. Where node or the packages are missing it
// skips the test, except in CI.
func CheckOpenAPI(t testing.TB, doc []byte, answers []APIAnswer) {
	t.Helper()
	node := Tool(t, "node")
	_, self, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("no source file for testkit")
	}
	dir := filepath.Dir(self)
	modules := filepath.Join(dir, "..", "..", ".ci", "node_modules")
	if _, err := os.Stat(filepath.Join(modules, "@seriousme", "openapi-schema-validator")); err != nil {
		Missing(t, "@seriousme/openapi-schema-validator (cd .ci && npm ci)", err)
	}
	tmp := t.TempDir()
	docFile, answersFile := filepath.Join(tmp, "openapi.json"), filepath.Join(tmp, "answers.json")
	b, err := json.Marshal(answers)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(docFile, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(answersFile, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(node, filepath.Join(dir, "openapi_check.mjs"), modules, docFile, answersFile).CombinedOutput()
	if err != nil {
		t.Errorf("the API and its description disagree: %v\n%s", err, out)
		return
	}
	t.Logf("OpenAPI: %s", out)
}
