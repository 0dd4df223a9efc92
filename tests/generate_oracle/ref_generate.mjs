#!/usr/bin/env node
// Reference greedy generation loop driven by onnxruntime-node (the oracle for `text generate`):
// prefill with an empty past, then one token per step feeding present.* back as past_key_values.*
// (use_cache_branch false on the first step of a merged decoder, true after). Prints the new ids,
// and time to first token and decode tokens/s on stderr (as `text generate` does).
//   node ref_generate.mjs MODEL.onnx --prompt-ids "1 2 3" [--prompt-ids ...] --max-new-tokens N [--threads N]
// Several --prompt-ids make one left-padded batch (pad id 0); one line of new ids per prompt.
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
let model = null, maxNew = 64, threads = 0;
const prompts = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--prompt-ids') prompts.push(args[++i].trim().split(/[\s,]+/).map((x) => BigInt(x)));
  else if (args[i] === '--max-new-tokens') maxNew = Number(args[++i]);
  else if (args[i] === '--threads') threads = Number(args[++i]); // intra-op threads (0: onnxruntime's default)
  else if (!model) model = args[i];
  else die(`unexpected argument ${args[i]}`);
}
if (!model || !prompts.length || prompts.some((p) => !p.length)) {
  die('usage: ref_generate.mjs MODEL.onnx --prompt-ids "1 2 3" [--prompt-ids ...] [--max-new-tokens N]');
}

// several prompts: left padding with id 0, attention_mask 0 and position id 1 on the padding
const s = await ort.InferenceSession.create(model, {
  executionProviders: ['cpu'], graphOptimizationLevel: 'all', ...(threads > 0 ? { intraOpNumThreads: threads } : {}),
});
const meta = Object.fromEntries(s.inputMetadata.map((m) => [m.name, m]));
const B = prompts.length, maxp = Math.max(...prompts.map((p) => p.length));
const pad = prompts.map((p) => maxp - p.length);
const seqs = prompts.map((p, b) => [...Array(pad[b]).fill(0n), ...p]);
const i64 = (rows) => new ort.Tensor('int64', BigInt64Array.from(rows.flat()), [rows.length, rows[0].length]);
let past = null; // name -> tensor
const out = prompts.map(() => []);
const t0 = performance.now();
let tFirst = t0;
for (let step = 0; step < maxNew; step++) {
  const len = seqs[0].length, start = past ? len - 1 : 0;
  const feeds = {};
  for (const name of s.inputNames) {
    if (name === 'input_ids') feeds[name] = i64(seqs.map((r) => r.slice(start)));
    else if (name === 'attention_mask') feeds[name] = i64(seqs.map((r, b) => r.map((_, k) => (k >= pad[b] ? 1n : 0n))));
    else if (name === 'position_ids') {
      feeds[name] = i64(seqs.map((r, b) => r.slice(start).map((_, j) => (start + j >= pad[b] ? BigInt(start + j - pad[b]) : 1n))));
    } else if (name === 'use_cache_branch') feeds[name] = new ort.Tensor('bool', Uint8Array.from([past ? 1 : 0]), [1]);
    else if (name.startsWith('past_key_values.')) {
      if (past) feeds[name] = past['present.' + name.slice(16)];
      else {
        const sh = meta[name].shape;
        feeds[name] = new ort.Tensor('float32', new Float32Array(0), [B, sh[1], 0, sh[3]]);
      }
    } else die(`unknown input ${name}`);
  }
  const r = await s.run(feeds);
  const [, n, vocab] = r.logits.dims;
  for (let b = 0; b < B; b++) {
    const row = r.logits.data.subarray((b * n + n - 1) * vocab, (b * n + n) * vocab);
    let best = 0;
    for (let v = 1; v < vocab; v++) if (row[v] > row[best]) best = v;
    seqs[b].push(BigInt(best));
    out[b].push(best);
  }
  if (step === 0) tFirst = performance.now();
  past = {};
  for (const k of s.outputNames) if (k.startsWith('present.')) past[k] = r[k];
}
const tEnd = performance.now();
process.stdout.write(out.map((o) => o.join(' ')).join('\n') + '\n');
const later = out.reduce((a, o) => a + o.length, 0) - B;
process.stderr.write(`prompts ${B}, new tokens ${out.reduce((a, o) => a + o.length, 0)}, time to first token ${(tFirst - t0).toFixed(2)} ms, ` +
  `decode ${later > 0 ? (later * 1e3 / (tEnd - tFirst)).toFixed(1) : 0} tokens/s\n`);
