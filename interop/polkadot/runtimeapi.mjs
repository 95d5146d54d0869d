// Subtensor runtime API values through @polkadot/types, for taonet's typed
// runtime API readers (subtensor/runtimeapi_polkadot_test.go).
//
// The types below are written here, independently of taonet's Go registry,
// from subtensor's Rust definitions (github.com/opentensor/subtensor):
// pallets/subtensor/src/rpc_info/neuron_info.rs (NeuronInfoLite),
// rpc_info/subnet_info.rs (SubnetHyperparams), rpc_info/show_subnet.rs
// (SubnetState) and src/lib.rs (AxonInfo, PrometheusInfo) at commit
// 4550edd1b (spec 208) / d91dc3c8e (spec 224), and the runtime API
// declarations of pallets/subtensor/runtime-api/src/lib.rs there: every
// method answers Vec<u8> wrapping the encoded value, empty for None.
//
// stdin: {"encode": [{"type", "value", "wrap"}], "decode": [{"type", "hex", "wrap"}],
//         "v15": {"opaque": "0x..", "calls": [{"api", "method", "hex"} or {"api", "method", "value"}]}}
// stdout: {"encode": [{"hex", "value"}], "decode": [value], "v15": [value or {"hex", "value"}]}
// where value is toPrimitive() of what @polkadot/types decodes.
import fs from 'node:fs';
import { TypeRegistry, Metadata } from '@polkadot/types';
import { hexToU8a, u8aToHex, compactStripLength, compactAddLength } from '@polkadot/util';

const types = {
  AxonInfo: { block: 'u64', version: 'u32', ip: 'u128', port: 'u16', ip_type: 'u8', protocol: 'u8', placeholder1: 'u8', placeholder2: 'u8' },
  PrometheusInfo: { block: 'u64', version: 'u32', ip: 'u128', port: 'u16', ip_type: 'u8' },
  NeuronInfoLite: {
    hotkey: 'AccountId', coldkey: 'AccountId', uid: 'Compact<u16>', netuid: 'Compact<u16>', active: 'bool',
    axon_info: 'AxonInfo', prometheus_info: 'PrometheusInfo', stake: 'Vec<(AccountId, Compact<u64>)>',
    rank: 'Compact<u16>', emission: 'Compact<u64>', incentive: 'Compact<u16>', consensus: 'Compact<u16>',
    trust: 'Compact<u16>', validator_trust: 'Compact<u16>', dividends: 'Compact<u16>', last_update: 'Compact<u64>',
    validator_permit: 'bool', pruning_score: 'Compact<u16>',
  },
  SubnetHyperparams: {
    rho: 'Compact<u16>', kappa: 'Compact<u16>', immunity_period: 'Compact<u16>', min_allowed_weights: 'Compact<u16>',
    max_weights_limit: 'Compact<u16>', tempo: 'Compact<u16>', min_difficulty: 'Compact<u64>', max_difficulty: 'Compact<u64>',
    weights_version: 'Compact<u64>', weights_rate_limit: 'Compact<u64>', adjustment_interval: 'Compact<u16>',
    activity_cutoff: 'Compact<u16>', registration_allowed: 'bool', target_regs_per_interval: 'Compact<u16>',
    min_burn: 'Compact<u64>', max_burn: 'Compact<u64>', bonds_moving_avg: 'Compact<u64>', max_regs_per_block: 'Compact<u16>',
    serving_rate_limit: 'Compact<u64>', max_validators: 'Compact<u16>', adjustment_alpha: 'Compact<u64>',
    difficulty: 'Compact<u64>', commit_reveal_weights_interval: 'Compact<u64>', commit_reveal_weights_enabled: 'bool',
    alpha_high: 'Compact<u16>', alpha_low: 'Compact<u16>', liquid_alpha_enabled: 'bool',
  },
  SubnetState: {
    netuid: 'Compact<u16>', hotkeys: 'Vec<AccountId>', coldkeys: 'Vec<AccountId>', active: 'Vec<bool>',
    validator_permit: 'Vec<bool>', pruning_score: 'Vec<Compact<u16>>', last_update: 'Vec<Compact<u64>>',
    emission: 'Vec<Compact<u64>>', dividends: 'Vec<Compact<u16>>', incentives: 'Vec<Compact<u16>>',
    consensus: 'Vec<Compact<u16>>', trust: 'Vec<Compact<u16>>', rank: 'Vec<Compact<u16>>',
    block_at_registration: 'Vec<Compact<u64>>', alpha_stake: 'Vec<Compact<u64>>', tao_stake: 'Vec<Compact<u64>>',
    total_stake: 'Vec<Compact<u64>>', emission_history: 'Vec<Vec<Compact<u64>>>',
  },
};

const req = JSON.parse(fs.readFileSync(0, 'utf8'));
const registry = new TypeRegistry();
registry.register(types);

// The runtimes' Vec<u8> wrapper: compact length ++ bytes.
const wrap = (u8a) => compactAddLength(u8a);
const unwrap = (u8a) => compactStripLength(u8a)[1];

const encode = (req.encode || []).map((r) => {
  const v = registry.createType(r.type, r.value);
  const raw = v.toU8a();
  const bytes = r.wrap ? wrap(raw) : raw;
  // Decode the bytes back, as a client would, to say what they hold.
  const back = registry.createType(r.type, r.wrap ? unwrap(bytes) : bytes);
  return { hex: u8aToHex(bytes), value: back.toPrimitive() };
});

const decode = (req.decode || []).map((r) => {
  let u8a = hexToU8a(r.hex);
  if (r.wrap) u8a = unwrap(u8a);
  return registry.createType(r.type, u8a).toPrimitive();
});

let v15 = [];
if (req.v15) {
  const reg15 = new TypeRegistry();
  const opaque = hexToU8a(req.v15.opaque);
  const md = new Metadata(reg15, compactStripLength(opaque.subarray(1))[1]);
  reg15.setMetadata(md);
  v15 = req.v15.calls.map((c) => {
    const api = md.asLatest.apis.find((a) => a.name.toString() === c.api);
    const m = api && api.methods.find((x) => x.name.toString() === c.method);
    if (!m) throw new Error('no runtime API ' + c.api + '_' + c.method);
    const out = reg15.createLookupType(m.output);
    if (c.hex === undefined) {
      // Encode c.value as the declared output, and decode it back.
      const bytes = reg15.createType(out, c.value).toU8a();
      return { hex: u8aToHex(bytes), value: reg15.createType(out, bytes).toPrimitive() };
    }
    return reg15.createType(out, hexToU8a(c.hex)).toPrimitive();
  });
}

process.stdout.write(JSON.stringify({ encode, decode, v15 }));
