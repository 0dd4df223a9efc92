#!/usr/bin/env node
// Runs an ONNX model with onnxruntime-node (CPU execution provider, graphOptimizationLevel 'all')
// on .npy inputs and writes .npy outputs; the oracle half of tests/oracle and bench/.
//
// onnxruntime-node cannot read ONNX TensorProto files, so the interchange is NumPy .npy (format
// 1.0/2.0, little-endian, C order) plus a small JSON manifest; tools/oracle/tensorio.py converts
// between test_data_set_N/input_K.pb and this layout.
//
//   IN_DIR/inputs.json    [{"name": "input_ids", "file": "input_0.npy"}, ...]   (graph inputs)
//   OUT_DIR/outputs.json  [{"name": "logits", "file": "output_0.npy"}, ...]     (graph output order)
//
// Usage:
//   node ort_run.mjs MODEL.onnx --in IN_DIR --out OUT_DIR [--threads N]
//   node ort_run.mjs MODEL.onnx --in IN_DIR --time [--threads N] [--warmup W] [--repeat K] [--json] [--profile PREFIX]
// Timing mode prints {"median_ms","p90_ms","min_ms","iters","threads"}, the shape of
// `ipfs-accelerate run --json`.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function die(msg) {
  process.stderr.write(`ort_run: ${msg}\n`);
  process.exit(1);
}

let ort;
try {
  ort = require('onnxruntime-node');
} catch (e) {
  die(`onnxruntime-node is not installed (${e.code || e.message}); run scripts/bootstrap.sh, or: ` +
      `cd tools/oracle && ONNXRUNTIME_NODE_INSTALL=skip npm ci`);
}

// .npy descr <-> onnxruntime-node tensor type and typed array
const DTYPES = {
  '<f4': ['float32', Float32Array], '<f8': ['float64', Float64Array],
  '<i8': ['int64', BigInt64Array], '<i4': ['int32', Int32Array], '<i2': ['int16', Int16Array],
  '|i1': ['int8', Int8Array], '<u8': ['uint64', BigUint64Array], '<u4': ['uint32', Uint32Array],
  '<u2': ['uint16', Uint16Array], '|u1': ['uint8', Uint8Array], '|b1': ['bool', Uint8Array],
  '<f2': ['float16', Uint16Array],
};
const DESCR_OF = Object.fromEntries(Object.entries(DTYPES).map(([d, [t]]) => [t, d]));

function readNpy(file) {
  const buf = fs.readFileSync(file);
  if (buf.readUInt32BE(0) !== 0x934e554d || buf.toString('latin1', 4, 6) !== 'PY') die(`${file}: not a .npy file`);
  const major = buf[6];
  const hlen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const hstart = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', hstart, hstart + hlen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) die(`${file}: bad .npy header ${header}`);
  if (fortran === 'True') die(`${file}: Fortran-order arrays are not supported`);
  const norm = descr.replace(/^=/, '<').replace(/^\|?([fiu][248])$/, '<$1');
  const dt = DTYPES[norm] || DTYPES[descr];
  if (!dt) die(`${file}: unsupported dtype ${descr}`);
  const dims = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length).map(Number);
  const n = dims.reduce((a, b) => a * b, 1);
  const start = hstart + hlen;
  const bytes = buf.subarray(start, start + n * dt[1].BYTES_PER_ELEMENT);
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return new ort.Tensor(dt[0], new dt[1](copy.buffer, 0, n), dims);
}

function writeNpy(file, tensor) {
  const descr = DESCR_OF[tensor.type];
  if (!descr) die(`output of type ${tensor.type} cannot be written as .npy`);
  const shape = tensor.dims.length === 1 ? `(${tensor.dims[0]},)` : `(${tensor.dims.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  let data = tensor.data;
  if (tensor.type === 'bool' && !(data instanceof Uint8Array)) data = Uint8Array.from(data, (v) => (v ? 1 : 0));
  const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  fs.writeFileSync(file, Buffer.concat([head, Buffer.from(header, 'latin1'), body]));
}

function parseArgs(argv) {
  const a = { threads: 1, warmup: 3, repeat: 20, json: false, time: false };
  for (let i = 0; i < argv.length; i++) {
    const o = argv[i], v = argv[i + 1];
    if (o === '--in') { a.inDir = v; i++; }
    else if (o === '--out') { a.outDir = v; i++; }
    else if (o === '--threads') { a.threads = parseInt(v, 10); i++; }
    else if (o === '--warmup') { a.warmup = parseInt(v, 10); i++; }
    else if (o === '--repeat') { a.repeat = parseInt(v, 10); i++; }
    else if (o === '--profile') { a.profile = v; i++; }
    else if (o === '--json') a.json = true;
    else if (o === '--time') a.time = true;
    else if (o.startsWith('-')) die(`unknown option ${o}`);
    else if (!a.model) a.model = o;
    else die(`unexpected argument ${o}`);
  }
  if (!a.model || !a.inDir || (!a.outDir && !a.time)) {
    die('usage: ort_run.mjs MODEL --in IN_DIR (--out OUT_DIR | --time [--warmup W] [--repeat K] [--json]) [--threads N]');
  }
  if (!(a.threads >= 0)) a.threads = 1;
  if (!(a.repeat >= 1)) a.repeat = 1;
  if (!(a.warmup >= 0)) a.warmup = 0;
  return a;
}

const args = parseArgs(process.argv.slice(2));
const manifestPath = path.join(args.inDir, 'inputs.json');
if (!fs.existsSync(manifestPath)) die(`${manifestPath} is missing (write it with tools/oracle/tensorio.py)`);
const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));

const opts = {
  executionProviders: ['cpu'],
  graphOptimizationLevel: 'all',
  intraOpNumThreads: args.threads,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  logSeverityLevel: 3,
};
if (args.profile) { // onnxruntime's own per-node trace (Chrome trace JSON), written as PREFIX_<date>.json
  opts.enableProfiling = true;
  opts.profileFilePrefix = args.profile;
}
let session;
try {
  session = await ort.InferenceSession.create(args.model, opts);
} catch (e) {
  die(`cannot load ${args.model}: ${e.message}`);
}
const feeds = {};
for (const { name, file } of manifest) feeds[name] = readNpy(path.join(args.inDir, file));

async function runOnce() {
  try {
    return await session.run(feeds);
  } catch (e) {
    die(`run failed: ${e.message}`);
  }
}

if (args.time) {
  for (let i = 0; i < args.warmup; i++) await runOnce();
  const times = [];
  for (let i = 0; i < args.repeat; i++) {
    const t0 = process.hrtime.bigint();
    await runOnce();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((x, y) => x - y);
  const n = times.length;
  const median = n % 2 ? times[(n - 1) / 2] : (times[n / 2 - 1] + times[n / 2]) / 2;
  const p90 = times[Math.max(0, Math.ceil(0.9 * n) - 1)];
  const r = { median_ms: +median.toFixed(4), p90_ms: +p90.toFixed(4), min_ms: +times[0].toFixed(4), iters: n, threads: args.threads };
  if (args.json) process.stdout.write(JSON.stringify(r) + '\n');
  else process.stdout.write(`onnxruntime-node ${ort.env.versions?.common ?? ''}: median ${r.median_ms} ms, p90 ${r.p90_ms} ms, min ${r.min_ms} ms over ${n} runs (${args.threads} threads)\n`);
  if (args.profile) session.endProfiling();
} else {
  const results = await runOnce();
  fs.mkdirSync(args.outDir, { recursive: true });
  const outManifest = session.outputNames.map((name, k) => {
    const file = `output_${k}.npy`;
    writeNpy(path.join(args.outDir, file), results[name]);
    return { name, file };
  });
  fs.writeFileSync(path.join(args.outDir, 'outputs.json'), JSON.stringify(outManifest, null, 1) + '\n');
}
