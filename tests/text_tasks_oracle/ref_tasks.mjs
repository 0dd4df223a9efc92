#!/usr/bin/env node
// Reference outputs for `text classify`, `text fill-mask` and `text ner`: @huggingface/transformers
// (transformers.js, pinned in tools/transformers-oracle) run offline on a local model folder, one
// input line at a time. ner's word-level strategies (first, average, max), which transformers.js does
// not have, are a JS port of Python transformers' TokenClassificationPipeline (aggregate_words,
// group_entities) on transformers.js's logits; none and simple are transformers.js's own pipeline.
//   node ref_tasks.mjs classify|fill-mask|ner MODEL_DIR INPUTS.txt [--top-k K] [--aggregation S]
// Prints one JSON array (one element per input line).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../../tools/transformers-oracle/package.json'));
function die(msg) { process.stderr.write(`ref_tasks: ${msg}\n`); process.exit(1); }
let tf;
try { tf = await import(require.resolve('@huggingface/transformers')); } catch (e) {
  die(`@huggingface/transformers is not installed (${e.code || e.message}); run scripts/bootstrap.sh`);
}
const args = process.argv.slice(2);
const [task, model, inputs] = args;
let topK = null, agg = 'none';
for (let i = 3; i < args.length; i++) {
  if (args[i] === '--top-k') topK = Number(args[++i]);
  else if (args[i] === '--aggregation') agg = args[++i];
  else die(`unexpected argument ${args[i]}`);
}
if (!task || !model || !inputs) die('usage: see the header');
tf.env.allowRemoteModels = false;
tf.env.useFSCache = false;
tf.env.localModelPath = path.dirname(path.resolve(model));
const name = path.basename(path.resolve(model));
const lines = fs.readFileSync(inputs, 'utf8').split('\n').filter((l) => l.length);
const kind = { classify: 'text-classification', 'fill-mask': 'fill-mask', ner: 'token-classification' }[task];
if (!kind) die(`unknown task ${task}`);
const pipe = await tf.pipeline(kind, name, { dtype: 'fp32', device: 'cpu' });
const vocabOf = {};
for (const [t, id] of Object.entries(JSON.parse(fs.readFileSync(path.join(model, 'tokenizer.json'), 'utf8')).model.vocab)) vocabOf[id] = t;
const out = [];

function softmax(v) {
  const m = Math.max(...v);
  const e = v.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}
function argmax(v) { let k = 0; for (let i = 1; i < v.length; i++) if (v[i] > v[k]) k = i; return k; }

// Python transformers' get_tag / group_sub_entities / group_entities / aggregate_word(s).
function getTag(e) {
  if (e.startsWith('B-')) return ['B', e.slice(2)];
  if (e.startsWith('I-')) return ['I', e.slice(2)];
  return ['I', e];
}
function wordOf(ids) { return pipe.tokenizer.decode(ids, { skip_special_tokens: true }); }
function groupSub(ents) {
  const e0 = ents[0].entity, dash = e0.indexOf('-');
  const score = ents.reduce((a, e) => a + e.score, 0) / ents.length;
  return { entity_group: dash < 0 ? e0 : e0.slice(dash + 1), score, word: wordOf(ents.flatMap((e) => e.ids)) };
}
function groupEntities(ents) {
  const groups = [];
  let cur = [];
  for (const e of ents) {
    if (!cur.length) { cur.push(e); continue; }
    const [bi, tag] = getTag(e.entity);
    const [, lastTag] = getTag(cur[cur.length - 1].entity);
    if (tag === lastTag && bi !== 'B') cur.push(e);
    else { groups.push(groupSub(cur)); cur = [e]; }
  }
  if (cur.length) groups.push(groupSub(cur));
  return groups;
}
function aggregateWord(ents, id2label) {
  let scores;
  if (agg === 'first') scores = ents[0].scores;
  else if (agg === 'max') {
    let best = ents[0];
    for (const e of ents) if (Math.max(...e.scores) > Math.max(...best.scores)) best = e;
    scores = best.scores;
  } else {
    scores = ents[0].scores.map((_, k) => ents.reduce((a, e) => a + e.scores[k], 0) / ents.length);
  }
  const k = argmax(scores);
  return { entity: id2label[k], score: scores[k], ids: ents.flatMap((e) => e.ids) };
}

for (const line of lines) {
  if (task === 'classify') out.push(await pipe(line, { top_k: topK ?? 1 }));
  else if (task === 'fill-mask') {
    const enc = pipe.tokenizer(line, { truncation: true });
    const ids = enc.input_ids.tolist()[0].map(Number);
    const maskId = Number(pipe.tokenizer.mask_token_id);
    const at = ids.flatMap((x, j) => (x === maskId ? [j] : []));
    if (at.length <= 1) { out.push(await pipe(line, { top_k: topK ?? 5 })); continue; }
    // several masks (transformers.js fills only the first): Python transformers' FillMaskPipeline
    // gives one list per mask, each sequence decoded with the special tokens kept
    const { logits } = await pipe.model(enc);
    const V = logits.dims[2];
    out.push(at.map((j) => {
      const p = softmax(Array.from(logits.data.slice(j * V, (j + 1) * V)));
      const order = p.map((x, i) => i).sort((a, b) => p[b] - p[a] || a - b).slice(0, topK ?? 5);
      return order.map((x) => {
        const seq = ids.slice();
        seq[j] = x;
        return { score: p[x], token: x, token_str: pipe.tokenizer.decode([x]), sequence: pipe.tokenizer.decode(seq) };
      });
    }));
  }
  else if (agg === 'none' || agg === 'simple') {
    out.push((await pipe(line, { aggregation_strategy: agg })).map((e) => {
      const r = { ...e };
      delete r.start; delete r.end;
      return r;
    }));
  } else {
    const enc = pipe.tokenizer(line, { truncation: true });
    const { logits } = await pipe.model(enc);
    const ids = enc.input_ids.tolist()[0].map(Number);
    const id2label = pipe.model.config.id2label;
    const V = logits.dims[2];
    const pre = [];
    ids.forEach((id, j) => {
      if (wordOf([id]) === '') return; // special tokens, as transformers.js's none/simple skip them
      const tok = vocabOf[id] ?? '';
      const scores = softmax(Array.from(logits.data.slice(j * V, (j + 1) * V)));
      pre.push({ ids: [id], scores, is_subword: tok.startsWith('##') });
    });
    const words = [];
    let g = null;
    for (const e of pre) {
      if (!g) g = [e];
      else if (e.is_subword) g.push(e);
      else { words.push(aggregateWord(g, id2label)); g = [e]; }
    }
    if (g) words.push(aggregateWord(g, id2label));
    out.push(groupEntities(words).filter((e) => e.entity_group !== 'O'));
  }
}
process.stdout.write(JSON.stringify(out) + '\n');
