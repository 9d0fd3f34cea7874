package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// patchRequest is the body of a PATCH (RFC 7644 §3.5.2).
type patchRequest struct {
	Schemas    []string         `json:"schemas"`
	Operations []patchOperation `json:"Operations"`
}

type patchOperation struct {
	Op    string          `json:"op"`
	Path  string          `json:"path"`
	Value json.RawMessage `json:"value"`
}

// decodePatch validates a PATCH body and returns what each operation
// replaces, so that the caller changes nothing unless all of them are valid.
func decodePatch(body []byte) ([]userInput, error) {
	var req patchRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, newError(http.StatusBadRequest, scimTypeInvalidSyntax, "invalid PATCH body: %v", err)
	}
	if !slices.Contains(req.Schemas, patchOpSchema) {
		return nil, newError(http.StatusBadRequest, scimTypeInvalidSyntax, "schemas must contain %s", patchOpSchema)
	}
	if len(req.Operations) == 0 {
		return nil, newError(http.StatusBadRequest, scimTypeInvalidSyntax, "Operations is empty")
	}
	inputs := make([]userInput, len(req.Operations))
	for i, op := range req.Operations {
		in, err := op.decode()
		if err != nil {
			return nil, prefixDetail(err, fmt.Sprintf("Operations[%d]: ", i))
		}
		inputs[i] = in
	}
	return inputs, nil
}

// decode reads one operation. TeamViewer supports only replace; the op is
// matched ignoring case because Entra ID sends "Replace".
func (op patchOperation) decode() (userInput, error) {
	if !strings.EqualFold(op.Op, "replace") {
		return userInput{}, newError(http.StatusBadRequest, scimTypeInvalidSyntax,
			"op %q is not supported: TeamViewer's SCIM API supports only replace", op.Op)
	}
	if len(op.Value) == 0 {
		return userInput{}, newError(http.StatusBadRequest, scimTypeInvalidValue, "replace needs a value")
	}
	var in userInput
	if op.Path == "" {
		return in, in.setObject(op.Value, patchBody, "")
	}
	attr, err := resolvePath(op.Path)
	if err != nil {
		return userInput{}, err
	}
	return in, in.set(attr, op.Value, patchBody)
}
