// Reads one JSON request per line on stdin and answers one JSON line each,
// using the tle crate's own WebAssembly build (TinyBLS381 = drand quicknet,
// AES-GCM), so taonet's Go implementation is checked against upstream code:
//   {"op":"encrypt","id":hex,"msg":hex,"key":hex,"pk":hex} -> {"ok":hex ciphertext}
//   {"op":"decrypt","ct":hex,"sig":hex}                   -> {"ok":hex plaintext}
// Errors answer {"err":"..."}.
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const pkgDir = path.dirname(require.resolve('@ideallabs/timelock_wasm_wrapper/package.json'));
const tle = await import(path.join(pkgDir, 'timelock_wasm_wrapper.js'));
tle.initSync({ module: fs.readFileSync(path.join(pkgDir, 'timelock_wasm_wrapper_bg.wasm')) });

const CURVE = 'bls12_381';
const bytes = (h) => Array.from(Buffer.from(h, 'hex'));
const hex = (a) => Buffer.from(a).toString('hex');

function answer(req) {
  switch (req.op) {
    case 'encrypt':
      return hex(tle.tle(bytes(req.id), bytes(req.msg), bytes(req.key), bytes(req.pk), CURVE));
    case 'decrypt':
      return hex(tle.tld(bytes(req.ct), bytes(req.sig), CURVE));
    default:
      throw new Error('unknown op ' + req.op);
  }
}

const rl = readline.createInterface({ input: process.stdin, terminal: false });
for await (const line of rl) {
  if (!line.trim()) continue;
  let out;
  try {
    out = { ok: answer(JSON.parse(line)) };
  } catch (e) {
    out = { err: String(e && e.message ? e.message : e) };
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}
