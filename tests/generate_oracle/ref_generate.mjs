#!/usr/bin/env node
// Reference greedy generation loop driven by onnxruntime-node (the oracle for `text generate`):
// prefill with an empty past, then one token per step feeding present.* back as past_key_values.*
// (use_cache_branch false on the first step of a merged decoder, true after). Prints the new ids,
// and time to first token and decode tokens/s on stderr (as `text generate` does).
//   node ref_generate.mjs MODEL.onnx --prompt-ids "1 2 3" --max-new-tokens N
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../../tools/oracle/package.json'));
function die(msg) { process.stderr.write(`ref_generate: ${msg}\n`); process.exit(1); }
let ort;
try { ort = require('onnxruntime-node'); } catch (e) {
  die(`onnxruntime-node is not installed (${e.code || e.message}); run scripts/bootstrap.sh`);
}

const args = process.argv.slice(2);
let model = null, prompt = null, maxNew = 64;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--prompt-ids') prompt = args[++i].trim().split(/[\s,]+/).map((x) => BigInt(x));
  else if (args[i] === '--max-new-tokens') maxNew = Number(args[++i]);
  else if (!model) model = args[i];
  else die(`unexpected argument ${args[i]}`);
}
if (!model || !prompt || !prompt.length) die('usage: ref_generate.mjs MODEL.onnx --prompt-ids "1 2 3" [--max-new-tokens N]');

const s = await ort.InferenceSession.create(model, { executionProviders: ['cpu'], graphOptimizationLevel: 'all' });
const meta = Object.fromEntries(s.inputMetadata.map((m) => [m.name, m]));
const i64 = (vals) => new ort.Tensor('int64', BigInt64Array.from(vals), [1, vals.length]);
const seq = [...prompt];
let past = null; // name -> tensor
const out = [];
const t0 = performance.now();
let tFirst = t0;
for (let step = 0; step < maxNew; step++) {
  const start = past ? seq.length - 1 : 0;
  const feeds = {};
  for (const name of s.inputNames) {
    if (name === 'input_ids') feeds[name] = i64(seq.slice(start));
    else if (name === 'attention_mask') feeds[name] = i64(seq.map(() => 1n));
    else if (name === 'position_ids') feeds[name] = i64(seq.slice(start).map((_, k) => BigInt(start + k)));
    else if (name === 'use_cache_branch') feeds[name] = new ort.Tensor('bool', Uint8Array.from([past ? 1 : 0]), [1]);
    else if (name.startsWith('past_key_values.')) {
      if (past) feeds[name] = past['present.' + name.slice(16)];
      else {
        const sh = meta[name].shape;
        feeds[name] = new ort.Tensor('float32', new Float32Array(0), [1, sh[1], 0, sh[3]]);
      }
    } else die(`unknown input ${name}`);
  }
  const r = await s.run(feeds);
  const logits = r.logits;
  const [, n, vocab] = logits.dims;
  const row = logits.data.subarray((n - 1) * vocab, n * vocab);
  let best = 0;
  for (let v = 1; v < vocab; v++) if (row[v] > row[best]) best = v;
  seq.push(BigInt(best));
  out.push(best);
  if (step === 0) tFirst = performance.now();
  past = {};
  for (const k of s.outputNames) if (k.startsWith('present.')) past[k] = r[k];
}
const tEnd = performance.now();
process.stdout.write(out.join(' ') + '\n');
process.stderr.write(`prompt tokens ${prompt.length}, new tokens ${out.length}, time to first token ${(tFirst - t0).toFixed(2)} ms, ` +
  `decode ${out.length > 1 ? ((out.length - 1) * 1e3 / (tEnd - tFirst)).toFixed(1) : 0} tokens/s\n`);
