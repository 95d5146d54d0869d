package polkadottest

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"
)

// RuntimeCallSpec asks @polkadot/api for one runtime API call of the v15
// Substrate metadata: the encoding of Inputs (given in @polkadot/types' JSON
// form, in declaration order) and of Output as the method's declared types.
type RuntimeCallSpec struct {
	API    string `json:"api"`
	Method string `json:"method"`
	Inputs []any  `json:"inputs"`
	Output any    `json:"output"`
}

// RuntimeCallEnc is @polkadot/api's answer for one RuntimeCallSpec.
type RuntimeCallEnc struct {
	Input  string          `json:"input"`  // 0x-hex of the encoded inputs
	Output string          `json:"output"` // 0x-hex of the encoded output
	Value  json.RawMessage `json:"value"`  // the output decoded back, toPrimitive()
}

// V15 is @polkadot/types-support's recorded v15 Substrate metadata as
// Metadata_metadata_at_version(15) returns it (Option<OpaqueMetadata>) and the
// runtime API encodings @polkadot/api makes of specs with it.
type V15 struct {
	Opaque []byte
	Calls  []RuntimeCallEnc
}

// The script runs from interop/polkadot so its imports resolve there; it
// lives here because only these tests use it.
const runtimeCallScript = `
import fs from 'node:fs';
import { TypeRegistry, Metadata } from '@polkadot/types';
import { hexToU8a, u8aToHex, u8aConcat, compactStripLength } from '@polkadot/util';
import hex from '@polkadot/types-support/metadata/v15/substrate-hex';
const reqs = JSON.parse(fs.readFileSync(0, 'utf8'));
const registry = new TypeRegistry();
const md = new Metadata(registry, compactStripLength(hexToU8a(hex).subarray(1))[1]);
registry.setMetadata(md);
const calls = reqs.map((r) => {
  const api = md.asLatest.apis.find((a) => a.name.toString() === r.api);
  const m = api && api.methods.find((x) => x.name.toString() === r.method);
  if (!m) throw new Error('no runtime API ' + r.api + '_' + r.method);
  const input = u8aConcat(...m.inputs.map((inp, i) => registry.createType(registry.createLookupType(inp.type), r.inputs[i]).toU8a()));
  const outType = registry.createLookupType(m.output);
  const out = registry.createType(outType, r.output).toU8a();
  return { input: u8aToHex(input), output: u8aToHex(out), value: registry.createType(outType, out).toPrimitive() };
});
process.stdout.write(JSON.stringify({ opaque: hex, calls }));
`

// RuntimeCalls runs @polkadot/api on specs against the v15 Substrate metadata.
func RuntimeCalls(t testing.TB, specs []RuntimeCallSpec) *V15 {
	t.Helper()
	in, err := json.Marshal(specs)
	if err != nil {
		t.Fatal(err)
	}
	out := runNode(t, filepath.Join("@polkadot", "types-support", "metadata", "v15"), "runtime API encodings", 60*time.Second, in, "--input-type=module", "-e", runtimeCallScript)
	var ans struct {
		Opaque string           `json:"opaque"`
		Calls  []RuntimeCallEnc `json:"calls"`
	}
	if err := json.Unmarshal(out, &ans); err != nil || len(ans.Calls) != len(specs) {
		t.Fatalf("node (runtime API encodings) answered %.300s (%v)", out, err)
	}
	raw, err := json.Marshal(ans.Opaque)
	if err != nil {
		t.Fatal(err)
	}
	return &V15{Opaque: Hex(t, raw), Calls: ans.Calls}
}
