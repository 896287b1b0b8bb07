// Conformance oracle for BaileysOracleTests.cs: runs Baileys' own encodeBinaryNode/decodeBinaryNode
// over a corpus written by the C# test. Reads the corpus JSON on stdin, writes results on stdout.
//
// Input:  {"cases": [{"name", "node"?: NodeJson (+ {"text"} content), "ourHex"?: frame hex}]}
// Output: {"baileys": "<version>", "results": [{"name",
//           "blHex"?,          Baileys' encoding of "node" (flag byte + node)
//           "blDecoded"?,      Baileys' decoding of its own blHex
//           "oursDecoded"?,    Baileys' decoding of "ourHex"
//           "error"?}]}        first exception, as text
// Decoded nodes: {"tag", "attrs": {k: string}, "content"?: [..] | {"base64"} | {"text"}}.
import { readFileSync } from 'node:fs';
import { encodeBinaryNode, decodeBinaryNode } from 'baileys/lib/WABinary/index.js';

const version = JSON.parse(readFileSync(new URL('./node_modules/baileys/package.json', import.meta.url))).version;

const toBaileys = (n) => ({
  tag: n.tag,
  attrs: { ...(n.attrs ?? {}) },
  content: n.content == null ? undefined
    : Array.isArray(n.content) ? n.content.map(toBaileys)
    : 'base64' in n.content ? Buffer.from(n.content.base64, 'base64') : n.content.text,
});

const normalise = (n) => {
  const o = { tag: n.tag, attrs: n.attrs };
  if (n.content !== undefined) {
    o.content = Array.isArray(n.content) ? n.content.map(normalise)
      : typeof n.content === 'string' ? { text: n.content }
      : { base64: Buffer.from(n.content).toString('base64') };
  }
  return o;
};

const input = JSON.parse(readFileSync(0, 'utf8'));
const results = [];
for (const c of input.cases) {
  const r = { name: c.name };
  try {
    if (c.node) {
      const bytes = encodeBinaryNode(toBaileys(c.node));
      r.blHex = bytes.toString('hex');
      r.blDecoded = normalise(await decodeBinaryNode(bytes));
    }
    if (c.ourHex) {
      r.oursDecoded = normalise(await decodeBinaryNode(Buffer.from(c.ourHex, 'hex')));
    }
  } catch (e) {
    r.error = String(e && e.stack || e);
  }
  results.push(r);
}
process.stdout.write(JSON.stringify({ baileys: version, results }));
