// Drives @polkadot/api's type layer (the reference SCALE/metadata
// implementation) on the real Bittensor metadata shipped by
// @bitgo/sdk-coin-tao, for taonet's subtensor tests. Reads a JSON array of
// requests on stdin and writes a JSON array of answers (one per request).
// Offline: no node is contacted.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TypeRegistry, Metadata, expandMetadata, StorageKey } from '@polkadot/types';
import { cryptoWaitReady, sr25519Verify, decodeAddress, blake2AsHex } from '@polkadot/util-crypto';
import { u8aToHex, hexToU8a } from '@polkadot/util';

const here = path.dirname(fileURLToPath(import.meta.url));
const nets = {};

// net is a network whose metadata @bitgo/sdk-coin-tao ships, or
// "file:<path>" for a file holding metadata as 0x-hex (a recording a test
// found in a developer's local mirror).
function load(net) {
  if (nets[net]) return nets[net];
  let hex;
  if (net.startsWith('file:')) {
    hex = fs.readFileSync(net.slice(5), 'utf8').match(/0x[0-9a-fA-F]+/)[0];
  } else {
    const file = path.join(here, 'node_modules/@bitgo/sdk-coin-tao/dist/src/resources', `${net}.js`);
    const src = fs.readFileSync(file, 'utf8');
    hex = src.match(/metadata:\s*'([^']*)'/)[1];
  }
  const registry = new TypeRegistry();
  const metadata = new Metadata(registry, hex);
  registry.setMetadata(metadata);
  const decorated = expandMetadata(registry, metadata);
  nets[net] = { registry, metadata, decorated };
  return nets[net];
}

const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
const lowerFirst = (s) => s[0].toLowerCase() + s.slice(1);

function entry(n, pallet, item) {
  const fn = n.decorated.query[lowerFirst(pallet)]?.[lowerFirst(item)];
  if (!fn) throw new Error(`no storage ${pallet}.${item}`);
  return fn;
}

function valueType(n, fn) {
  const t = fn.meta.type;
  const id = t.isPlain ? t.asPlain : t.asMap.value;
  return n.registry.createLookupType(id);
}

function call(n, r) {
  const f = n.decorated.tx[lowerFirst(r.pallet)]?.[camel(r.call)];
  if (!f) throw new Error(`no call ${r.pallet}.${r.call}`);
  const given = {};
  for (const [k, v] of Object.entries(r.args)) given[camel(k)] = v;
  const args = f.meta.args.map((a) => {
    const name = camel(a.name.toString());
    if (!(name in given)) throw new Error(`missing argument ${name}`);
    return given[name];
  });
  return f(...args);
}

function payloadFields(n, r, method) {
  return {
    method: method.toHex(),
    era: n.registry.createType('ExtrinsicEra', { current: r.current, period: r.period }),
    nonce: r.nonce,
    tip: r.tip,
    blockHash: r.blockHash,
    genesisHash: r.genesisHash,
    specVersion: r.specVersion,
    transactionVersion: r.txVersion,
    mode: 0,
    version: 4,
  };
}

const ops = {
  storageKey(r) {
    const n = load(r.net);
    return new StorageKey(n.registry, [entry(n, r.pallet, r.item), r.args]).toHex();
  },
  encodeStorage(r) {
    const n = load(r.net);
    return u8aToHex(n.registry.createType(valueType(n, entry(n, r.pallet, r.item)), r.value).toU8a());
  },
  decodeStorage(r) {
    const n = load(r.net);
    return n.registry.createType(valueType(n, entry(n, r.pallet, r.item)), hexToU8a(r.hex)).toPrimitive();
  },
  call(r) {
    return call(load(r.net), r).toHex();
  },
  era(r) {
    const n = load(r.net);
    return n.registry.createType('ExtrinsicEra', { current: r.current, period: r.period }).toHex();
  },
  payload(r) {
    const n = load(r.net);
    const p = n.registry.createType('ExtrinsicPayload', payloadFields(n, r, call(n, r)), { version: 4 });
    return u8aToHex(p.toU8a({ method: true }));
  },
  extrinsic(r) {
    const n = load(r.net);
    const method = call(n, r);
    const ext = n.registry.createType('Extrinsic', method, { version: 4 });
    ext.addSignature(r.signer, hexToU8a(r.signature), payloadFields(n, r, method));
    return ext.toHex();
  },
  decodeExtrinsic(r) {
    const n = load(r.net);
    const ext = n.registry.createType('Extrinsic', hexToU8a(r.hex));
    return {
      signer: ext.signer.toString(),
      nonce: ext.nonce.toNumber(),
      tip: ext.tip.toString(),
      section: ext.method.section,
      method: ext.method.method,
      args: ext.method.toPrimitive().args,
    };
  },
  verify(r) {
    return sr25519Verify(hexToU8a(r.msg), hexToU8a(r.sig), decodeAddress(r.signer));
  },
  decodeEvents(r) {
    const n = load(r.net);
    return n.registry.createType('Vec<EventRecord>', hexToU8a(r.hex)).toHuman();
  },
  encodeEvents(r) {
    const n = load(r.net);
    return n.registry.createType('Vec<EventRecord>', r.value).toHex();
  },
  // subtensor's commit-reveal v2 hash: BlakeTwo256 of the SCALE tuple
  // (who, netuid, uids, values, salt, version_key).
  commitHash(r) {
    const n = load(r.net);
    const t = n.registry.createType('(AccountId32, u16, Vec<u16>, Vec<u16>, Vec<u16>, u64)', [r.who, r.netuid, r.uids, r.values, r.salt, r.version_key]);
    return blake2AsHex(t.toU8a(), 256);
  },
  encodeType(r) {
    const n = load(r.net);
    return u8aToHex(n.registry.createType(r.type, r.value).toU8a());
  },
  errorName(r) {
    const n = load(r.net);
    const de = n.registry.createType('DispatchError', { Module: { index: r.index, error: r.error } });
    const m = n.registry.findMetaError(de.asModule);
    return `${m.section}.${m.name}`;
  },
};

function answer(input) {
  return input.map((r) => {
    try {
      return { ok: ops[r.op](r) };
    } catch (e) {
      return { err: String(e && e.message ? e.message : e) };
    }
  });
}

await cryptoWaitReady();
if (process.argv[2] === '--serve') {
  // One JSON array of requests per line in, one JSON array of answers per
  // line out, until stdin closes (the Go test binary exits): the metadata is
  // decoded once per process instead of once per request batch.
  const rl = (await import('node:readline')).createInterface({ input: process.stdin });
  for await (const line of rl) {
    if (line.trim() !== '') process.stdout.write(JSON.stringify(answer(JSON.parse(line))) + '\n');
  }
} else {
  process.stdout.write(JSON.stringify(answer(JSON.parse(fs.readFileSync(0, 'utf8')))));
}
