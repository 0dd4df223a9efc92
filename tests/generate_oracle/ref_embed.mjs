#!/usr/bin/env node
// Reference sentence embeddings (the oracle for `text embed`): onnxruntime-node runs the encoder on
// right-padded ids (pad 0, mask 0, token_type_ids 0), pooling and L2 normalisation in float64 here.
// Compares with our JSON output and fails when any element differs by more than 1e-4.
//   node ref_embed.mjs MODEL.onnx --pooling mean|cls [--normalize] --ours OURS.json --ids "1 2" [--ids ...]
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../../tools/oracle/package.json'));
function die(msg) { process.stderr.write(`ref_embed: ${msg}\n`); process.exit(1); }
let ort;
try { ort = require('onnxruntime-node'); } catch (e) {
  die(`onnxruntime-node is not installed (${e.code || e.message}); run scripts/bootstrap.sh`);
}
const args = process.argv.slice(2);
let model = null, pooling = 'mean', normalize = false, ours = null;
const rows = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--ids') rows.push(args[++i].trim().split(/[\s,]+/).map(Number));
  else if (args[i] === '--pooling') pooling = args[++i];
  else if (args[i] === '--normalize') normalize = true;
  else if (args[i] === '--ours') ours = JSON.parse(fs.readFileSync(args[++i], 'utf8'));
  else if (!model) model = args[i];
  else die(`unexpected argument ${args[i]}`);
}
if (!model || !rows.length || !ours) die('usage: see the header');
const B = rows.length, S = Math.max(...rows.map((r) => r.length));
const ids = new BigInt64Array(B * S), mask = new BigInt64Array(B * S);
rows.forEach((r, b) => r.forEach((x, t) => { ids[b * S + t] = BigInt(x); mask[b * S + t] = 1n; }));
const s = await ort.InferenceSession.create(model, { executionProviders: ['cpu'] });
const feeds = {};
for (const n of s.inputNames) {
  if (n === 'input_ids') feeds[n] = new ort.Tensor('int64', ids, [B, S]);
  else if (n === 'attention_mask') feeds[n] = new ort.Tensor('int64', mask, [B, S]);
  else if (n === 'token_type_ids') feeds[n] = new ort.Tensor('int64', new BigInt64Array(B * S), [B, S]);
  else die(`unknown input ${n}`);
}
const r = await s.run(feeds);
const h = r.last_hidden_state || r[s.outputNames[0]];
const D = h.dims[2];
let maxdiff = 0, n = 0;
if (!Array.isArray(ours) || ours.length !== B) die(`ours has ${ours.length} rows, want ${B}`);
for (let b = 0; b < B; b++) {
  const e = new Float64Array(D);
  if (pooling === 'cls') for (let d = 0; d < D; d++) e[d] = h.data[b * S * D + d];
  else {
    let cnt = 0;
    for (let t = 0; t < S; t++) {
      if (!mask[b * S + t]) continue;
      cnt++;
      for (let d = 0; d < D; d++) e[d] += h.data[(b * S + t) * D + d];
    }
    for (let d = 0; d < D; d++) e[d] /= Math.max(cnt, 1e-9);
  }
  if (normalize) {
    const nn = Math.max(Math.sqrt(e.reduce((a, x) => a + x * x, 0)), 1e-12);
    for (let d = 0; d < D; d++) e[d] /= nn;
  }
  if (ours[b].length !== D) die(`row ${b}: ours has ${ours[b].length} values, want ${D}`);
  for (let d = 0; d < D; d++) { maxdiff = Math.max(maxdiff, Math.abs(e[d] - ours[b][d])); n++; }
}
const ok = maxdiff <= 1e-4;
console.log(`${ok ? 'ok  ' : 'FAIL'} embed pooling=${pooling} normalize=${normalize}: ${n} values, max |diff| ${maxdiff.toExponential(3)}`);
process.exit(ok ? 0 : 1);
