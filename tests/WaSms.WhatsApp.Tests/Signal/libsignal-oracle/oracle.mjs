// Interop oracle for the Signal tests (LibsignalOracle.cs): npm libsignal@6.0.0 (what Baileys uses
// for pairwise sessions) and baileys@7.0.0-rc14's sender-key group cipher (lib/Signal/Group), both
// from the Baileys oracle's node_modules (Binary/baileys-oracle, installed by its install.sh).
//
// One request per line on stdin, one answer per line on stdout (JSON; bytes as hex; keys raw 32 bytes):
//   {op:"versions"}                                  → {libsignal, baileys}
//   {op:"party", id, reg}                            → {identity}              (new device, signed prekey id 1)
//   {op:"bundle", id, oneTime}                       → a PreKeyBundle of party id
//   {op:"init", id, peer, bundle}                    → {}                      (SessionBuilder.initOutgoing)
//   {op:"encrypt", id, peer, plaintexts:[hex]}       → {messages:[{type:"pkmsg"|"msg", hex}]}
//   {op:"decrypt", id, peer, messages:[{type, hex}]} → {results:[{plaintext} | {error}]}
//   {op:"sign", count}                               → {items:[{publicKey, message, signature}]}  (curve25519-js)
//   {op:"verify", items:[{publicKey, message, signature}]} → {results:[bool]}
//   {op:"groupCreate", id, group, sender}            → {skdm}                  (GroupSessionBuilder.create)
//   {op:"groupProcess", id, group, sender, skdm}     → {}
//   {op:"groupEncrypt", id, group, sender, plaintexts} → {messages:[hex]}
//   {op:"groupDecrypt", id, group, sender, messages} → {results:[{plaintext} | {error}]}
// Any failure of a whole request → {error}.
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { randomBytes } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const modules = process.env.WASMS_SIGNAL_ORACLE_MODULES
  ?? path.resolve(here, '../../Binary/baileys-oracle/node_modules');
const require = createRequire(path.join(modules, 'noop.js'));
const libsignal = require('libsignal');
const curve = require('libsignal/src/curve');
const group = await import(pathToFileURL(path.join(modules, 'baileys/lib/Signal/Group/index.js')).href);
const version = (name) => require(`${name}/package.json`).version;

const hex = (b) => Buffer.from(b).toString('hex');
const bytes = (h) => Buffer.from(h, 'hex');
const raw = (k) => Buffer.from(k).subarray(k.length === 33 ? 1 : 0);
const prefixed = (h) => Buffer.concat([Buffer.from([5]), bytes(h)]);

const parties = new Map();

class Party {
  constructor(reg) {
    this.identity = libsignal.keyhelper.generateIdentityKeyPair();
    this.reg = reg;
    this.signed = libsignal.keyhelper.generateSignedPreKey(this.identity, 1);
    this.preKeys = new Map();
    this.nextPreKey = 1;
    this.sessions = new Map();
    this.senderKeys = new Map();
  }

  // The libsignal storage interface; sessions are kept serialised, as Baileys' store does.
  getOurIdentity() { return this.identity; }
  getOurRegistrationId() { return this.reg; }
  isTrustedIdentity() { return true; }
  loadPreKey(id) { const k = this.preKeys.get(id); return k && { privKey: k.privKey, pubKey: k.pubKey }; }
  removePreKey(id) { this.preKeys.delete(id); }
  loadSignedPreKey(id) { return id === this.signed.keyId ? this.signed.keyPair : undefined; }
  loadSession(addr) {
    const s = this.sessions.get(addr);
    return s && libsignal.SessionRecord.deserialize(JSON.parse(s));
  }
  storeSession(addr, record) { this.sessions.set(addr, JSON.stringify(record.serialize())); }

  // Baileys' sender-key store interface.
  loadSenderKey(name) {
    const key = name.toString();
    if (!this.senderKeys.has(key)) this.senderKeys.set(key, new group.SenderKeyRecord());
    return this.senderKeys.get(key);
  }
  storeSenderKey(name, record) { this.senderKeys.set(name.toString(), record); }
}

const party = (id) => {
  const p = parties.get(id);
  if (!p) throw new Error(`no party ${id}`);
  return p;
};
const address = (peer) => new libsignal.ProtocolAddress(peer, 0);
const senderKeyName = (r) => new group.SenderKeyName(r.group, { id: r.sender, deviceId: 0, toString: () => `${r.sender}.0` });

async function handle(r) {
  switch (r.op) {
    case 'versions':
      return { libsignal: version('libsignal'), baileys: version('baileys') };
    case 'party': {
      const p = new Party(r.reg);
      parties.set(r.id, p);
      return { identity: hex(raw(p.identity.pubKey)) };
    }
    case 'bundle': {
      const p = party(r.id);
      const b = {
        registrationId: p.reg, identityKey: hex(raw(p.identity.pubKey)),
        signedPreKeyId: p.signed.keyId, signedPreKey: hex(raw(p.signed.keyPair.pubKey)), signature: hex(p.signed.signature),
      };
      if (r.oneTime) {
        const k = libsignal.keyhelper.generatePreKey(p.nextPreKey++);
        p.preKeys.set(k.keyId, k.keyPair);
        b.preKeyId = k.keyId;
        b.preKey = hex(raw(k.keyPair.pubKey));
      }
      return b;
    }
    case 'init': {
      const p = party(r.id);
      const b = r.bundle;
      const device = {
        registrationId: b.registrationId, identityKey: prefixed(b.identityKey),
        signedPreKey: { keyId: b.signedPreKeyId, publicKey: prefixed(b.signedPreKey), signature: bytes(b.signature) },
      };
      if (b.preKeyId != null) device.preKey = { keyId: b.preKeyId, publicKey: prefixed(b.preKey) };
      await new libsignal.SessionBuilder(p, address(r.peer)).initOutgoing(device);
      return {};
    }
    case 'encrypt': {
      const cipher = new libsignal.SessionCipher(party(r.id), address(r.peer));
      const messages = [];
      for (const m of r.plaintexts) {
        const e = await cipher.encrypt(bytes(m));
        messages.push({ type: e.type === 3 ? 'pkmsg' : 'msg', hex: hex(e.body) });
      }
      return { messages };
    }
    case 'decrypt': {
      const cipher = new libsignal.SessionCipher(party(r.id), address(r.peer));
      const results = [];
      for (const m of r.messages) {
        try {
          const plain = m.type === 'pkmsg'
            ? await cipher.decryptPreKeyWhisperMessage(bytes(m.hex))
            : await cipher.decryptWhisperMessage(bytes(m.hex));
          results.push({ plaintext: hex(plain) });
        } catch (e) {
          results.push({ error: String(e && e.message || e) });
        }
      }
      return { results };
    }
    case 'sign': {
      const items = [];
      for (let i = 0; i < r.count; i++) {
        const k = curve.generateKeyPair();
        const message = randomBytes(1 + (i % 100));
        items.push({ publicKey: hex(raw(k.pubKey)), message: hex(message), signature: hex(curve.calculateSignature(k.privKey, message)) });
      }
      return { items };
    }
    case 'verify':
      return {
        results: r.items.map((i) => {
          try { return curve.verifySignature(prefixed(i.publicKey), bytes(i.message), bytes(i.signature)); } catch { return false; }
        }),
      };
    case 'groupCreate': {
      const skdm = await new group.GroupSessionBuilder(party(r.id)).create(senderKeyName(r));
      return { skdm: hex(skdm.serialize()) };
    }
    case 'groupProcess': {
      const message = new group.SenderKeyDistributionMessage(null, null, null, null, bytes(r.skdm));
      await new group.GroupSessionBuilder(party(r.id)).process(senderKeyName(r), message);
      return {};
    }
    case 'groupEncrypt': {
      const cipher = new group.GroupCipher(party(r.id), senderKeyName(r));
      const messages = [];
      for (const m of r.plaintexts) messages.push(hex(await cipher.encrypt(bytes(m))));
      return { messages };
    }
    case 'groupDecrypt': {
      const cipher = new group.GroupCipher(party(r.id), senderKeyName(r));
      const results = [];
      for (const m of r.messages) {
        try { results.push({ plaintext: hex(await cipher.decrypt(bytes(m))) }); } catch (e) { results.push({ error: String(e && e.message || e) }); }
      }
      return { results };
    }
    default:
      throw new Error(`unknown op ${r.op}`);
  }
}

// libsignal-node logs session errors on the console; stdout carries only answers.
console.log = console.info = console.warn = console.error = () => {};
const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) continue;
  let answer;
  try {
    answer = await handle(JSON.parse(line));
  } catch (e) {
    answer = { error: String(e && e.stack || e) };
  }
  process.stdout.write(JSON.stringify(answer) + '\n');
}
