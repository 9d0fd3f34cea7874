package emulator

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"
)

// redacted replaces secret values in recorded request bodies.
const redacted = `"[redacted]"`

// withheldBody replaces a body that cannot be parsed and may hold a secret.
var withheldBody = []byte(`[unparsable body withheld: it may hold a secret]`)

// isSecretAttribute reports whether a key or PATCH path names the initial
// password or the SSO customer id, with or without a schema URN in front.
// The SSO id counts as a secret because the provider masks it in its own
// logs; a test printing request records must not undo that.
func isSecretAttribute(name string) bool {
	name = strings.ToLower(name)
	if i := strings.LastIndexByte(name, ':'); i >= 0 {
		name = name[i+1:]
	}
	return name == "password" || name == "ssocustomerid"
}

// redactBody returns body with the values of secret attributes replaced,
// keeping every other byte as sent. Secrets are found wherever a client
// could put them: as keys at any depth, and as the value of a PATCH
// operation whose path names one.
func redactBody(body []byte) []byte {
	if len(bytes.TrimSpace(body)) == 0 {
		return body
	}
	spans, err := secretSpans(body)
	if err != nil {
		lower := bytes.ToLower(body)
		// \u escapes could spell a secret's name past the check.
		if bytes.Contains(lower, []byte("password")) || bytes.Contains(lower, []byte("ssocustomerid")) || bytes.Contains(lower, []byte(`\u`)) {
			return withheldBody
		}
		return body
	}
	if len(spans) == 0 {
		return body
	}
	var out bytes.Buffer
	last := 0
	for _, sp := range mergeSpans(spans) {
		out.Write(body[last:sp.start])
		out.WriteString(redacted)
		last = sp.end
	}
	out.Write(body[last:])
	return out.Bytes()
}

// span is a byte range [start, end) of a JSON value in a body.
type span struct{ start, end int }

// mergeSpans sorts spans and merges those that overlap, as a secret PATCH
// value around a secret key does.
func mergeSpans(spans []span) []span {
	slices.SortFunc(spans, func(a, b span) int { return cmp.Compare(a.start, b.start) })
	merged := spans[:1]
	for _, sp := range spans[1:] {
		if last := &merged[len(merged)-1]; sp.start < last.end {
			last.end = max(last.end, sp.end)
			continue
		}
		merged = append(merged, sp)
	}
	return merged
}

// secretSpans finds the values of secret attributes in a JSON document.
func secretSpans(body []byte) ([]span, error) {
	w := &secretWalker{body: body, dec: json.NewDecoder(bytes.NewReader(body))}
	if _, err := w.value(); err != nil {
		return nil, err
	}
	if _, err := w.dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("trailing data after the JSON value")
	}
	return w.spans, nil
}

type secretWalker struct {
	body  []byte
	dec   *json.Decoder
	spans []span
}

// value reads one JSON value and returns its first token.
func (w *secretWalker) value() (json.Token, error) {
	tok, err := w.dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('{'):
		return tok, w.object()
	case json.Delim('['):
		for w.dec.More() {
			if _, err := w.value(); err != nil {
				return nil, err
			}
		}
		_, err = w.dec.Token()
	}
	return tok, err
}

// object reads the members of an object after its '{'.
func (w *secretWalker) object() error {
	var secretPath bool
	var value *span // of the member "value", redacted when the path names a secret
	for w.dec.More() {
		key, err := w.dec.Token()
		if err != nil {
			return err
		}
		name, _ := key.(string)
		start := w.valueStart()
		tok, err := w.value()
		if err != nil {
			return err
		}
		sp := span{start, int(w.dec.InputOffset())}
		switch {
		case isSecretAttribute(name):
			w.spans = append(w.spans, sp)
		case strings.EqualFold(name, "path"):
			path, _ := tok.(string)
			secretPath = isSecretAttribute(path)
		case strings.EqualFold(name, "value"):
			value = &sp
		}
	}
	if secretPath && value != nil {
		w.spans = append(w.spans, *value)
	}
	_, err := w.dec.Token() // '}'
	return err
}

// valueStart is the offset of the value after the key just read: past the
// colon and any white space.
func (w *secretWalker) valueStart() int {
	i := int(w.dec.InputOffset())
	for i < len(w.body) && strings.IndexByte(" \t\r\n:", w.body[i]) >= 0 {
		i++
	}
	return i
}
