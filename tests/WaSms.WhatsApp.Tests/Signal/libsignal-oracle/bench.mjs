// libsignal-node half of scripts/bench-signal: the same workload as scripts/lib/BenchSignal.cs with
// npm libsignal@6.0.0 (one session, Alice encrypts N messages of 100 bytes, Bob decrypts them in
// order; records kept in memory as objects). Prints one JSON line.
// Also, as the gateway's offline backlog arrives and as Baileys stores sessions: a new session whose
// sender has not heard back yet (every message a PreKeyWhisperMessage, `pkmsg`), the receiver's
// record deserialised on each load and serialised on each store (baileys@7.0.0-rc14
// lib/Signal/libsignal.js, signalStorage loadSession/storeSession), still in memory: `backlogDecryptPerSecond`.
//   node bench.mjs [count]
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.resolve(here, '../../Binary/baileys-oracle/node_modules/noop.js'));
const libsignal = require('libsignal');
console.log = console.info = console.warn = () => {};

const count = Number(process.argv[2] ?? 10000);

class Store {
  constructor(reg) {
    this.identity = libsignal.keyhelper.generateIdentityKeyPair();
    this.reg = reg;
    this.signed = libsignal.keyhelper.generateSignedPreKey(this.identity, 1);
    this.preKey = libsignal.keyhelper.generatePreKey(1);
    this.sessions = new Map();
  }
  getOurIdentity() { return this.identity; }
  getOurRegistrationId() { return this.reg; }
  isTrustedIdentity() { return true; }
  loadPreKey(id) { return id === 1 ? this.preKey.keyPair : undefined; }
  removePreKey() {}
  loadSignedPreKey(id) { return id === 1 ? this.signed.keyPair : undefined; }
  loadSession(addr) { return this.sessions.get(addr); }
  storeSession(addr, record) { this.sessions.set(addr, record); }
}

// Records kept serialised, as Baileys' key store keeps them.
class SerialisingStore extends Store {
  loadSession(addr) { const s = this.sessions.get(addr); return s ? libsignal.SessionRecord.deserialize(s) : undefined; }
  storeSession(addr, record) { this.sessions.set(addr, record.serialize()); }
}

const alice = new Store(1);
const bob = new Store(2);
const toBob = new libsignal.ProtocolAddress('bob', 0);
const toAlice = new libsignal.ProtocolAddress('alice', 0);
await new libsignal.SessionBuilder(alice, toBob).initOutgoing({
  registrationId: bob.reg, identityKey: bob.identity.pubKey,
  signedPreKey: { keyId: 1, publicKey: bob.signed.keyPair.pubKey, signature: bob.signed.signature },
  preKey: { keyId: 1, publicKey: bob.preKey.keyPair.pubKey },
});
const aliceCipher = new libsignal.SessionCipher(alice, toBob);
const bobCipher = new libsignal.SessionCipher(bob, toAlice);
await bobCipher.decryptPreKeyWhisperMessage((await aliceCipher.encrypt(Buffer.from([1]))).body);
await aliceCipher.decryptWhisperMessage((await bobCipher.encrypt(Buffer.from([2]))).body);

const plaintext = Buffer.alloc(100);
const messages = [];
let start = process.hrtime.bigint();
for (let i = 0; i < count; i++) messages.push((await aliceCipher.encrypt(plaintext)).body);
const encryptSeconds = Number(process.hrtime.bigint() - start) / 1e9;
start = process.hrtime.bigint();
for (const m of messages) await bobCipher.decryptWhisperMessage(m);
const decryptSeconds = Number(process.hrtime.bigint() - start) / 1e9;

const carol = new Store(3);
const dave = new SerialisingStore(4);
const toDave = new libsignal.ProtocolAddress('dave', 0);
await new libsignal.SessionBuilder(carol, toDave).initOutgoing({
  registrationId: dave.reg, identityKey: dave.identity.pubKey,
  signedPreKey: { keyId: 1, publicKey: dave.signed.keyPair.pubKey, signature: dave.signed.signature },
  preKey: { keyId: 1, publicKey: dave.preKey.keyPair.pubKey },
});
const carolCipher = new libsignal.SessionCipher(carol, toDave);
const daveCipher = new libsignal.SessionCipher(dave, new libsignal.ProtocolAddress('carol', 0));
const backlog = [];
for (let i = 0; i < count; i++) {
  const m = await carolCipher.encrypt(plaintext);
  if (m.type !== 3) throw new Error(`message ${i} is type ${m.type}, not a PreKeyWhisperMessage`);
  backlog.push(m.body);
}
start = process.hrtime.bigint();
for (const m of backlog) await daveCipher.decryptPreKeyWhisperMessage(m);
const backlogSeconds = Number(process.hrtime.bigint() - start) / 1e9;
process.stdout.write(JSON.stringify({
  impl: `libsignal-node ${require('libsignal/package.json').version}`, node: process.version, messages: count,
  encryptPerSecond: Math.round(count / encryptSeconds), decryptPerSecond: Math.round(count / decryptSeconds),
  backlogDecryptPerSecond: Math.round(count / backlogSeconds),
}) + '\n');
