package scim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"unicode/utf8"
)

func TestQuoteFilterValue(t *testing.T) {
	tests := []struct{ in, want string }{
		{"jane@example.com", `"jane@example.com"`},
		{`say "hi"`, `"say \"hi\""`},
		{`back\slash`, `"back\\slash"`},
		{"tab\tnew\nline\r", `"tab\tnew\nline\r"`},
		{"bell\x07nul\x00", `"bell\u0007nul\u0000"`},
		{"Jörg Müller 😀", `"Jörg Müller 😀"`},
		{"a<b>&c", `"a<b>&c"`},
		{"", `""`},
	}
	for _, tt := range tests {
		if got := QuoteFilterValue(tt.in); got != tt.want {
			t.Errorf("QuoteFilterValue(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestEqualFilter(t *testing.T) {
	got := EqualFilter("userName", `o"brien@example.com`)
	want := `userName eq "o\"brien@example.com"`
	if got != want {
		t.Errorf("EqualFilter = %s, want %s", got, want)
	}
}

// The filter must reach the server intact, spaces as %20 rather than "+".
func TestFilterURLEncoding(t *testing.T) {
	userName := `a+b "x"&y@example.com`
	var seen latest[string]
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		seen.set(r.URL.RawQuery)
		writeJSON(w, http.StatusOK, `{"totalResults":0,"Resources":[]}`)
	}, nil)
	if _, err := c.ListUsers(t.Context(), ListOptions{Filter: EqualFilter("userName", userName)}); err != nil {
		t.Fatal(err)
	}
	rawQuery := seen.get()
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := q.Get("filter"), EqualFilter("userName", userName); got != want {
		t.Errorf("server got filter %s, want %s", got, want)
	}
	if q.Get("startIndex") != "1" || q.Get("count") != "1000" {
		t.Errorf("paging parameters: %s", rawQuery)
	}
	for _, c := range rawQuery {
		if c == ' ' || c == '"' {
			t.Fatalf("query not escaped: %s", rawQuery)
		}
	}
	if !containsAll(rawQuery, "userName%20eq%20", "a%2Bb") {
		t.Errorf("query %s: want spaces as %%20 and '+' as %%2B", rawQuery)
	}
}

// Seeds: testdata/fuzz/FuzzQuoteFilterValue.
func FuzzQuoteFilterValue(f *testing.F) {
	f.Fuzz(func(t *testing.T, value string) {
		quoted := QuoteFilterValue(value)
		var back string
		if err := json.Unmarshal([]byte(quoted), &back); err != nil {
			t.Fatalf("QuoteFilterValue(%q) = %s is not a JSON string: %v", value, quoted, err)
		}
		// JSON cannot carry invalid UTF-8; it becomes U+FFFD, as documented.
		if utf8.ValidString(value) && back != value {
			t.Fatalf("round trip of %q gave %q via %s", value, back, quoted)
		}
	})
}
