package scim

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// EqualFilter returns a SCIM filter matching attribute equal to value, e.g.
// userName eq "jane@example.com". The attribute is used as given; only the
// value is quoted. TeamViewer compares the value case-sensitively.
func EqualFilter(attribute, value string) string {
	return attribute + " eq " + QuoteFilterValue(value)
}

// QuoteFilterValue returns value as a JSON string literal, the form RFC 7644
// gives string values in filters. Only what JSON requires is escaped: quotes,
// backslashes and control characters. Everything else, U+2028 and U+2029
// included (which encoding/json escapes for JavaScript's sake), stays as is,
// because a \u escape is the part of JSON that SCIM filter parsers are least
// likely to support. Invalid UTF-8 becomes U+FFFD, since JSON cannot carry it.
func QuoteFilterValue(value string) string {
	var b strings.Builder
	b.Grow(len(value) + 2)
	b.WriteByte('"')
	for _, r := range value {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20:
			fmt.Fprintf(&b, `\u%04x`, r)
		case r == utf8.RuneError:
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
