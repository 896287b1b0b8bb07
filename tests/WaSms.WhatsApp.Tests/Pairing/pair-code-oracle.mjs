// Baileys rc14's own pair-code crypto, run on inputs from PairingCodeOracleTests (docs/whatsapp.md §9.2).
// Reads one JSON object of hex strings on stdin, prints one JSON object of hex strings.
// It calls the installed Baileys helpers in ../Binary/baileys-oracle/node_modules; it copies no code.
import { readFileSync } from 'node:fs';
const lib = new URL('../Binary/baileys-oracle/node_modules/baileys/lib/Utils/crypto.js', import.meta.url);
const { derivePairingCodeKey, aesEncryptCTR, aesDecryptCTR, hkdf, aesEncryptGCM, Curve } = await import(lib.href);

const input = JSON.parse(readFileSync(0, 'utf8'));
const b = (name) => Buffer.from(input[name], 'hex');
const hex = (buf) => Buffer.from(buf).toString('hex');

// Companion hello, as requestPairingCode/generatePairingKey build it.
const key = await derivePairingCodeKey(input.code, b('salt'));
const wrapped = Buffer.concat([b('salt'), b('iv'), aesEncryptCTR(b('companionEphemeralPub'), key, b('iv'))]);

// primary_hello handling, as messages-recv 'link_code_companion_reg' does it.
const primaryWrapped = b('primaryWrapped');
const primaryKey = await derivePairingCodeKey(input.code, primaryWrapped.subarray(0, 32));
const primaryEphemeral = aesDecryptCTR(primaryWrapped.subarray(48, 80), primaryKey, primaryWrapped.subarray(32, 48));
const shared = Curve.sharedKey(b('companionEphemeralPriv'), primaryEphemeral);
const bundleKey = hkdf(shared, 32, { salt: b('bundleSalt'), info: 'link_code_pairing_key_bundle_encryption_key' });
const plain = Buffer.concat([b('identityPub'), b('primaryIdentityPub'), b('advRandom')]);
const bundle = Buffer.concat([b('bundleSalt'), b('nonce'), aesEncryptGCM(plain, bundleKey, b('nonce'), Buffer.alloc(0))]);
const identityShared = Curve.sharedKey(b('identityPriv'), b('primaryIdentityPub'));
const adv = hkdf(Buffer.concat([shared, identityShared, b('advRandom')]), 32, { info: 'adv_secret' });

process.stdout.write(JSON.stringify({ wrapped: hex(wrapped), primaryEphemeral: hex(primaryEphemeral), bundle: hex(bundle), adv: hex(adv) }));
