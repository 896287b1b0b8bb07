// Writes ../Vectors/baileys-rc14.txt: known-answer vectors produced by Baileys' own encoder.
// Usage (after ./install.sh): node make-vectors.mjs > ../Vectors/baileys-rc14.txt
// Each node is given here in the NodeJson shape; attribute strings are handed to Baileys as they
// are (Baileys turns "x@server" strings into JIDs), content {"base64"} becomes a Buffer and
// {"text"} a string. "both" lines must decode to the JSON and the JSON must encode to the hex;
// "decode" lines carry string content that our model turns into bytes, so only decoding is checked.
import { readFileSync } from 'node:fs';
import { encodeBinaryNode, decodeBinaryNode } from 'baileys/lib/WABinary/index.js';

const version = JSON.parse(readFileSync(new URL('./node_modules/baileys/package.json', import.meta.url))).version;
const b64 = (hex) => Buffer.from(hex, 'hex').toString('base64');
const toBaileys = (n) => ({
  tag: n.tag,
  attrs: { ...(n.attrs ?? {}) },
  content: n.content === undefined ? undefined
    : Array.isArray(n.content) ? n.content.map(toBaileys)
    : 'base64' in n.content ? Buffer.from(n.content.base64, 'base64') : n.content.text,
});
// Our JSON view of a node: string content becomes {"base64"} of its UTF-8 bytes.
const ours = (n) => {
  const o = { tag: n.tag, attrs: n.attrs ?? {} };
  if (n.content !== undefined) {
    o.content = Array.isArray(n.content) ? n.content.map(ours)
      : 'base64' in n.content ? n.content : { base64: Buffer.from(n.content.text, 'utf8').toString('base64') };
  }
  return o;
};
const hasText = (n) => n.content !== undefined && (Array.isArray(n.content) ? n.content.some(hasText) : 'text' in n.content);
// Same separators as NodeJson.ToJson.
const render = (n) => {
  const attrs = Object.entries(n.attrs).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ');
  let s = `{"tag": ${JSON.stringify(n.tag)}, "attrs": {${attrs}}`;
  if (n.content !== undefined) {
    s += Array.isArray(n.content) ? `, "content": [${n.content.map(render).join(', ')}]`
      : `, "content": {"base64": ${JSON.stringify(n.content.base64)}}`;
  }
  return s + '}';
};

const vectors = [
  ['rc14 KAT: iq ping, nibble id, token to', { tag: 'iq', attrs: { id: '1.2-3', to: 's.whatsapp.net', type: 'get', xmlns: 'w:p' }, content: [{ tag: 'ping' }] }],
  ['rc14 KAT: JID pair with empty user', { tag: 'iq', attrs: { to: '@s.whatsapp.net', type: 'get', xmlns: 'w:p', id: '7' } }],
  ['rc14 KAT: hex id, PN JID', { tag: 'ack', attrs: { id: '3EB0A1B2C3D4E5F6', to: '15551234567@s.whatsapp.net', class: 'receipt' } }],
  ['rc14 KAT: AD JID device 3', { tag: 'to', attrs: { jid: '15551234567:3@s.whatsapp.net' } }],
  ['rc14 KAT: AD JID on lid', { tag: 'to', attrs: { jid: '123456789012345:7@lid' } }],
  ['rc14 KAT: AD JID device 0', { tag: 'to', attrs: { jid: '15551234567:0@s.whatsapp.net' } }],
  ['rc14 KAT: group JID, raw id', { tag: 'message', attrs: { to: '120363012345678901@g.us', id: 'abc' } }],
  ['rc14 KAT: binary content', { tag: 'enc', attrs: { v: '2', type: 'pkmsg' }, content: { base64: b64('33010203') } }],
  ['rc14 KAT: string content (raw)', { tag: 'ref', content: { text: 'hello world' } }],
  ['stream end', { tag: 'xmlstreamend' }],
  ['double-byte tokens, one per dictionary', { tag: 'pair-device', attrs: { active: 'passive', '64': 'x' } }],
  ['double-byte tokens: dictionaries 2 and 3', { tag: 'profile_picture', attrs: { manufacturer: '1724', keys: 'crypto' } }],
  ['empty attribute value (Baileys writes an empty BINARY_8)', { tag: 'presence', attrs: { name: '' } }],
  ['UTF-8 raw string', { tag: 'notify', attrs: { name: 'Zoë ✓ 😀' } }],
  ['packed: odd nibble, even nibble, lower-case hex stays raw', { tag: 'a', attrs: { n1: '123', n2: '12-.', h: 'abcdef', H: 'ABCDEF0' } }],
  ['packed max 127 chars, and 128 goes raw', { tag: 'p', attrs: { a: '1'.repeat(127), b: '1'.repeat(128), c: 'F'.repeat(127) } }],
  ['JIDs: hosted device 99, hosted.lid, broadcast, newsletter, bot', { tag: 'j', attrs: { a: '1555:99@hosted', b: '12345:99@hosted.lid', c: 'status@broadcast', d: '120363000000000001@newsletter', e: '867051314767696@bot', f: '@g.us' } }],
  ['empty child list, nested lists', { tag: 'iq', attrs: { type: 'result' }, content: [{ tag: 'list', content: [] }, { tag: 'usync', content: [{ tag: 'user', attrs: { jid: '15551234567@s.whatsapp.net' }, content: [{ tag: 'devices', content: [{ tag: 'device-list', content: [{ tag: 'device', attrs: { id: '0' } }, { tag: 'device', attrs: { id: '12', 'key-index': '3' } }] }] }] }] }] }],
  ['BINARY_8 at 255 bytes', { tag: 'b', content: { base64: Buffer.alloc(255, 0xab).toString('base64') } }],
  ['BINARY_20 at 256 bytes', { tag: 'b', content: { base64: Buffer.alloc(256, 0xcd).toString('base64') } }],
  ['LIST_16: 256 children', { tag: 'l', content: Array.from({ length: 256 }, () => ({ tag: 'item' })) }],
  ['string content: token, double token, raw, nibble, hex, AD JID', { tag: 's', content: [{ tag: 'a', content: { text: 'result' } }, { tag: 'b', content: { text: 'active' } }, { tag: 'c', content: { text: '+1555' } }, { tag: 'd', content: { text: '5551234' } }, { tag: 'e', content: { text: 'ABCD' } }, { tag: 'f', content: { text: '1555:2@s.whatsapp.net' } }] }],
];

console.log(`# Known-answer vectors: encodeBinaryNode from baileys@${version} (npm), written by baileys-oracle/make-vectors.mjs.`);
console.log('# Format: <both|decode> <hex of flag byte + node> <NodeJson>. "both": decode(hex) == json and encode(json) == hex.');
console.log('# "decode": string content on the wire, which our model turns into bytes; only decode(hex) == json is checked.');
for (const [name, node] of vectors) {
  const hex = encodeBinaryNode(toBaileys(node)).toString('hex');
  await decodeBinaryNode(Buffer.from(hex, 'hex')); // Baileys must read its own output
  console.log(`# ${name}`);
  console.log(`${hasText(node) ? 'decode' : 'both'} ${hex} ${render(ours(node))}`);
}
