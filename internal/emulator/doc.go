// Package emulator is an in-process emulator of TeamViewer's SCIM 2.0 API
// (https://webapi.teamviewer.com/scim/v2), written against the documented
// behaviour of that API rather than against the provider's SCIM client, so
// that the two keep each other honest.
//
// It serves users at /Users and TeamViewer's user groups at /Groups, as
// Entra ID's group sync drives them.
//
// A Server is an http.Handler. Tests mount it on an httptest.Server, the
// standalone command in cmd/teamviewer-emulator serves it for demos. Besides
// the API it offers hooks to change the tenant behind the API's back, a
// bounded log of the requests it received (secrets redacted), statistics of
// how many requests it handled at once, fault injection (rate limiting,
// outages, connections dropped after a write, gateways that answer 502 after
// the write or 504 before a slow backend finishes it), a token-bucket rate
// limit and added latency.
//
// Where TeamViewer's documentation is silent the emulator follows RFC 7644,
// except for TeamViewer's documented quirks, which it reproduces on purpose:
// case-sensitive filter matching, all users returned when count is omitted,
// an echoed startIndex of 0 for users, no DELETE of users, and create-only
// attributes that are never returned.
package emulator
