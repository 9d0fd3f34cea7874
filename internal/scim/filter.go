package scim

import (
	"bytes"
	"encoding/json"
)

// EqualFilter returns a SCIM filter matching attribute equal to value, e.g.
// userName eq "jane@example.com". The attribute is used as given; only the
// value is quoted. TeamViewer compares the value case-sensitively.
func EqualFilter(attribute, value string) string {
	return attribute + " eq " + QuoteFilterValue(value)
}

// QuoteFilterValue returns value as a JSON string literal, the form RFC 7644
// gives string values in filters: quotes, backslashes and control characters
// are escaped, other Unicode is kept as is. Invalid UTF-8 becomes U+FFFD,
// since JSON cannot carry it.
func QuoteFilterValue(value string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// HTML escaping would turn <, > and & into \u003c and friends: valid JSON,
	// but a filter parser on the server side need not expect it.
	enc.SetEscapeHTML(false)
	// Encoding a string cannot fail.
	_ = enc.Encode(value)
	return string(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}
