package synapse

import (
	"testing"
)

// responseBody is a typical 200 response body of the fan-out benchmark: the envelope
// with both terminal infos as an axon sends them, then the payload.
func responseBody(b *testing.B) (*schema, []byte) {
	p, r := benchRequest(b)
	r.Axon.StatusCode, r.Axon.StatusMessage, r.Axon.ProcessTime = 200, "Success", 0.0523
	r.Axon.Nonce, r.Axon.UUID, r.Axon.Version, r.Axon.Signature = 1733472000123456789, "4b0e6a52-8f1e-11ef-9a6b-0242ac120002", DefaultVersion, r.Dendrite.Signature
	payload, err := marshalPayload(&Prompt{Roles: []string{"user"}, Messages: []string{"what is the capital of France?"}, Completion: "done"})
	if err != nil {
		b.Fatal(err)
	}
	body, err := encodeBody(p.sc, &r, payload)
	if err != nil {
		b.Fatal(err)
	}
	return p.sc, body
}

// BenchmarkDecodeResponse is decodeInto on a typical response, into a fresh copy
// of the request synapse as query does.
func BenchmarkDecodeResponse(b *testing.B) {
	sc, body := responseBody(b)
	b.ReportAllocs()
	for b.Loop() {
		v := &Prompt{Roles: []string{"user"}, Messages: []string{"what is the capital of France?"}}
		if err := decodeInto(sc, body, v); err != nil {
			b.Fatal(err)
		}
	}
}
