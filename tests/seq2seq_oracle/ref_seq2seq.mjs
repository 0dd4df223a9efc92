#!/usr/bin/env node
// Reference encoder-decoder generation (the oracle for `text text2text`): onnxruntime-node runs the
// encoder once and the decoder step by step (merged decoder with use_cache_branch, or
// decoder_model + decoder_with_past_model, decoder_model fed its own present values (single), or
// decoder_model over the whole sequence without a cache);
// greedy search, or beam search written here after Hugging Face transformers' BeamSearchScorer /
// BeamHypotheses (log-softmax scores summed per beam, 2*num_beams candidates per step, finished
// hypotheses scored sum / generated_len^length_penalty, early_stopping true / false / "never").
//   node ref_seq2seq.mjs MODEL_DIR --ids "5 6 7" [--form merged|with_past|single|no_cache] [--max-new-tokens N]
//        [--num-beams K] [--length-penalty L] [--early-stopping true|false|never]
// Prints the new decoder ids (after the start token; the eos token included when produced).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../../tools/oracle/package.json'));
function die(msg) { process.stderr.write(`ref_seq2seq: ${msg}\n`); process.exit(1); }
let ort;
try { ort = require('onnxruntime-node'); } catch (e) {
  die(`onnxruntime-node is not installed (${e.code || e.message}); run scripts/bootstrap.sh`);
}
const args = process.argv.slice(2);
let dir = null, ids = null, form = 'merged', maxNew = 20, beams = 1, lp = 1.0, early = 'false';
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--ids') ids = args[++i].trim().split(/[\s,]+/).map(Number);
  else if (args[i] === '--form') form = args[++i];
  else if (args[i] === '--max-new-tokens') maxNew = Number(args[++i]);
  else if (args[i] === '--num-beams') beams = Number(args[++i]);
  else if (args[i] === '--length-penalty') lp = Number(args[++i]);
  else if (args[i] === '--early-stopping') early = args[++i];
  else if (!dir) dir = args[i];
  else die(`unexpected argument ${args[i]}`);
}
if (!dir || !ids) die('usage: see the header');
const gcPath = path.join(dir, 'generation_config.json');
const gc = fs.existsSync(gcPath) ? JSON.parse(fs.readFileSync(gcPath, 'utf8')) : {};
const start = gc.decoder_start_token_id ?? 0, eos = gc.eos_token_id ?? 1;
const opt = { executionProviders: ['cpu'] };
const onnx = (n) => path.join(dir, 'onnx', n);
const enc = await ort.InferenceSession.create(onnx('encoder_model.onnx'), opt);
const first = await ort.InferenceSession.create(onnx(form === 'merged' ? 'decoder_model_merged.onnx' : 'decoder_model.onnx'), opt);
const later = form === 'with_past' ? await ort.InferenceSession.create(onnx('decoder_with_past_model.onnx'), opt) : first;

const S = ids.length;
const i64 = (a, dims) => new ort.Tensor('int64', BigInt64Array.from(a.map(BigInt)), dims);
const encOut = await enc.run({ input_ids: i64(ids, [1, S]), attention_mask: i64(ids.map(() => 1), [1, S]) });
const hidden = encOut.last_hidden_state;
const D = hidden.dims[2];
const B = beams;
const hid = new Float32Array(B * S * D);
for (let b = 0; b < B; b++) hid.set(hidden.data, b * S * D);
const encStates = new ort.Tensor('float32', hid, [B, S, D]);
const encMask = i64(new Array(B * S).fill(1), [B, S]);

let past = {}; // present name -> tensor, rows = beams
function emptyPast(sess, name) {
  const meta = sess.inputMetadata ? sess.inputMetadata.find((m) => m.name === name) : null;
  const shape = meta && meta.shape ? meta.shape.map((x, k) => (k === 0 ? B : k === 2 ? 0 : x)) : null;
  if (!shape || shape.some((x) => typeof x !== 'number')) die(`cannot make an empty past for ${name}`);
  return new ort.Tensor('float32', new Float32Array(0), shape);
}
// one decoder step; seqs: B rows of decoder ids so far; returns log-softmax rows of the last position
async function step(seqs, t) {
  const sess = t === 0 ? first : later;
  const feeds = {};
  const L = form === 'no_cache' ? seqs[0].length : 1;
  for (const n of sess.inputNames) {
    if (n === 'input_ids') feeds[n] = i64(seqs.flatMap((r) => r.slice(r.length - L)), [B, L]);
    else if (n === 'encoder_attention_mask') feeds[n] = encMask;
    else if (n === 'encoder_hidden_states') feeds[n] = encStates;
    else if (n === 'use_cache_branch') feeds[n] = new ort.Tensor('bool', [t > 0], [1]);
    else if (n.startsWith('past_key_values.')) {
      const p = past['present.' + n.slice('past_key_values.'.length)];
      feeds[n] = p ?? emptyPast(sess, n);
    } else die(`unknown decoder input ${n}`);
  }
  const out = await sess.run(feeds);
  if (form !== 'no_cache') for (const [k, v] of Object.entries(out)) if (k.startsWith('present.')) past[k] = v;
  const lg = out.logits, V = lg.dims[2], Lo = lg.dims[1];
  const rows = [];
  for (let b = 0; b < B; b++) {
    const row = Array.from(lg.data.slice((b * Lo + Lo - 1) * V, (b * Lo + Lo) * V));
    let m = -Infinity;
    for (const x of row) if (x > m) m = x;
    let s = 0;
    for (const x of row) s += Math.exp(x - m);
    const lse = m + Math.log(s);
    rows.push(row.map((x) => x - lse));
  }
  return rows;
}
function reorder(rowsIdx) {
  for (const [k, v] of Object.entries(past)) {
    const per = v.data.length / v.dims[0];
    const d = new Float32Array(v.data.length);
    rowsIdx.forEach((src, b) => d.set(v.data.subarray(src * per, (src + 1) * per), b * per));
    past[k] = new ort.Tensor('float32', d, v.dims);
  }
}

const maxLen = 1 + maxNew; // decoder prompt (the start token) + new tokens
let out;
if (B === 1) {
  const seq = [start];
  for (let t = 0; t < maxNew; t++) {
    const [lp0] = await step([seq], t);
    let k = 0;
    for (let i = 1; i < lp0.length; i++) if (lp0[i] > lp0[k]) k = i;
    seq.push(k);
    if (k === eos) break;
  }
  out = seq.slice(1);
} else {
  // BeamHypotheses
  const hyps = [];
  let worst = 1e9;
  const add = (hyp, sumLogprobs, genLen) => {
    const score = sumLogprobs / Math.max(genLen, 1) ** lp; // transformers divides by 0 there (an error)
    if (hyps.length < B || score > worst) {
      hyps.push({ score, hyp });
      if (hyps.length > B) {
        const sorted = hyps.map((h, i) => [h.score, i]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        hyps.splice(sorted[0][1], 1);
        worst = sorted[1][0];
      } else worst = Math.min(score, worst);
    }
  };
  const isDone = (best, curLen) => {
    if (hyps.length < B) return false;
    if (early === 'true') return true;
    let high;
    if (early === 'false' || lp <= 0) high = best / (curLen - 1) ** lp;
    else high = best / (maxLen - 1) ** lp;
    return worst >= high;
  };
  let seqs = Array.from({ length: B }, () => [start]);
  let scores = Array.from({ length: B }, (_, b) => (b === 0 ? 0 : -1e9));
  let done = false;
  for (let t = 0; t < maxNew && !done; t++) {
    const rows = await step(seqs, t);
    const V = rows[0].length;
    const cand = [];
    for (let b = 0; b < B; b++) for (let v = 0; v < V; v++) cand.push([rows[b][v] + scores[b], b * V + v]);
    cand.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    const top = cand.slice(0, 2 * B);
    const curLen = seqs[0].length + 1;
    const nextScores = [], nextTokens = [], nextIdx = [];
    for (let r = 0; r < top.length; r++) {
      const [sc, flat] = top[r];
      const b = Math.floor(flat / V), tok = flat % V;
      if (tok === eos) {
        if (r >= B) continue;
        add(seqs[b].slice(), sc, curLen - 1);
      } else {
        nextScores.push(sc); nextTokens.push(tok); nextIdx.push(b);
      }
      if (nextScores.length === B) break;
    }
    done = isDone(top[0][0], curLen);
    seqs = nextIdx.map((b, k) => [...seqs[b], nextTokens[k]]);
    scores = nextScores;
    if (form !== 'no_cache') reorder(nextIdx);
    if (seqs[0].length >= maxLen) break;
  }
  if (!done) for (let b = 0; b < B; b++) add(seqs[b], scores[b], seqs[b].length - 1);
  const best = hyps.map((h, i) => [h.score, i]).sort((a, b) => a[0] - b[0] || a[1] - b[1]).pop();
  const hyp = hyps[best[1]].hyp;
  out = hyp.slice(1);
  if (hyp.length < maxLen) out.push(eos);
}
process.stdout.write(out.join(' ') + '\n');
