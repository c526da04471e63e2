package spec

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"go/format"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite zz_api.go from api.json")

// TestGenerated checks that zz_api.go, the typed routes and codes, is what
// api.json makes; go test ./spec -update rewrites it. A new endpoint or
// code is added to api.json alone: this test then names the file to
// regenerate, and the loader refuses a table that disagrees with it.
func TestGenerated(t *testing.T) {
	raw, err := os.ReadFile("api.json")
	if err != nil {
		t.Fatal(err)
	}
	want, err := generate(raw)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("zz_api.go", want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile("zz_api.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("zz_api.go is not what api.json makes: run go test ./spec -update")
	}
}

func generate(raw []byte) ([]byte, error) {
	var a struct {
		Endpoints []struct{ Name, Method, Path, Title, Section string } `json:"endpoints"`
		Codes     []struct {
			Code          int
			Name, Trigger string
		} `json:"codes"`
	}
	if err := json.Unmarshal(raw, &a); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString("// Code generated from api.json by TestGenerated (go test ./spec -update). DO NOT EDIT.\n\npackage spec\n\n")
	b.WriteString("// The routes of profile v1-2015, in api.json order.\nconst (\n\tRouteOther Route = iota // a request that is no endpoint of the API\n")
	for _, e := range a.Endpoints {
		fmt.Fprintf(&b, "\tRoute%s // %s %s: %s (§%s)\n", e.Name, e.Method, e.Path, e.Title, e.Section)
	}
	b.WriteString("\trouteCount\n)\n\n")
	b.WriteString("var routeNames = [routeCount]string{\"Other\"")
	for _, e := range a.Endpoints {
		fmt.Fprintf(&b, ", %q", e.Name)
	}
	b.WriteString("}\n\n// The error codes of §2.\nconst (\n")
	for _, c := range a.Codes {
		fmt.Fprintf(&b, "\tCode%s Code = %d // %s\n", c.Name, c.Code, c.Trigger)
	}
	b.WriteString(")\n\nvar codeNames = map[Code]string{\n")
	for _, c := range a.Codes {
		fmt.Fprintf(&b, "\tCode%s: %q,\n", c.Name, c.Name)
	}
	b.WriteString("}\n")
	return format.Source(b.Bytes())
}
