package emulator

import (
	"encoding/json"
	"net/http"
)

// Content types of responses: SCIM's for the SCIM layer, plain JSON for
// the Web API errors in front of it, so clients must accept both.
const (
	scimContentType = "application/scim+json"
	apiContentType  = "application/json"
)

// response is an answer that has not been sent yet, so that it can be
// recorded, or withheld when the connection is to be dropped.
type response struct {
	status      int
	header      http.Header
	contentType string
	body        any    // marshalled to JSON
	raw         []byte // sent as is instead of body, when set
	changed     bool   // the request changed the tenant
}

// jsonResponse answers with a SCIM JSON body.
func jsonResponse(status int, body any) response {
	return response{status: status, contentType: scimContentType, body: body, header: http.Header{}}
}

// write sends the response.
func (resp response) write(w http.ResponseWriter) {
	data := resp.raw
	if data == nil {
		var err error
		if data, err = json.Marshal(resp.body); err != nil { // only possible through a bug in the emulator's types
			http.Error(w, "emulator: cannot encode response: "+err.Error(), http.StatusInternalServerError)
			return
		}
	}
	for name, values := range resp.header {
		w.Header()[name] = values
	}
	if resp.contentType != "" { // none for 204
		w.Header().Set("Content-Type", resp.contentType)
	}
	w.WriteHeader(resp.status)
	_, _ = w.Write(data)
}
