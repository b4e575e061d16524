package site

import (
	"bytes"
	_ "embed"
	"encoding/json"
)

// openAPIDoc describes the JSON answers, the site's files and the
// server's query routes, as OpenAPI 3.1; its servers are filled in for
// each site.
//
//go:embed openapi.json
var openAPIDoc []byte

// openAPIServers is where openAPIDoc's servers go.
var openAPIServers = []byte(`"servers": []`)

// openAPI returns api/v1/openapi.json: openAPIDoc with the API's address.
// With a public URL it is absolute; without, it is "../v1", which
// resolves against the document's own address (…/api/v1/openapi.json)
// to …/api/v1, wherever the site is put.
func (s *Site) openAPI() []byte {
	server := map[string]string{"url": "../v1", "description": "The API's root, beside this document."}
	if s.cfg.PublicURL != "" {
		server = map[string]string{"url": s.root + "api/v1", "description": "The API's root."}
	}
	b, err := json.Marshal([]map[string]string{server})
	if err != nil {
		panic(err) // strings only
	}
	return bytes.Replace(openAPIDoc, openAPIServers, append([]byte(`"servers": `), b...), 1)
}
