// Generates testdata/polkadotjs_backup.json (stdout) and the //Alice interop
// signature used in keys tests (stderr). Run in a directory where
// `npm install @polkadot/keyring@14.0.3 @polkadot/util-crypto@14.0.3 @polkadot/util@14.0.3` was done:
//   node gen_polkadotjs.mjs > polkadotjs_backup.json
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady, sr25519Verify } from '@polkadot/util-crypto';
import { u8aToHex, stringToU8a } from '@polkadot/util';
await cryptoWaitReady();
const kr = new Keyring({ type: 'sr25519', ss58Format: 42 });
const pair = kr.addFromUri('bottom drive obey lake curtain smoke basket hold race lonely fit walk', { name: 'spec' });
const json = pair.toJson('correct horse battery staple');
console.log(JSON.stringify(json));
const alice = kr.addFromUri('//Alice');
const msg = stringToU8a('taonet interop message');
const sig = alice.sign(msg);
console.error(JSON.stringify({ address: alice.address, message: 'taonet interop message', signature: u8aToHex(sig), verify: sr25519Verify(msg, sig, alice.publicKey) }));
