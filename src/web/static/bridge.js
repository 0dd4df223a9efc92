// Bridge page script: reports the browser's capabilities, loads models on onnxruntime-web and runs
// them for ipfs-accelerate; requests and replies travel over one WebSocket (see docs/BROWSER.md).
const token = location.pathname.split('/')[1];
const base = `/${token}/`;
const params = new URLSearchParams(location.search);
const pageId = Number(params.get('page') || 0);
const statusEl = document.getElementById('status');
let ws = null;
let ort = null;
let bundle = null;
const sessions = new Map();
let nextSession = 1;
let lastEncodeStart = 0, lastReplySendMs = 0;

// Console capture: onnxruntime's own log (node placement per execution provider) goes to the console.
const logLines = [];
for (const k of ['log', 'info', 'warn', 'error', 'debug']) {
  const orig = console[k].bind(console);
  console[k] = (...a) => {
    logLines.push(a.map((x) => String(x)).join(' '));
    if (logLines.length > 20000) logLines.splice(0, 10000);
    orig(...a);
  };
}

const errText = (e) => (e && e.name && e.message ? `${e.name}: ${e.message}` : String(e && e.message ? e.message : e));

// A hand-made module whose only function returns a v128 constant: validates iff SIMD is there.
const simdProbe = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0,
  10, 22, 1, 20, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11]);

async function capabilities() {
  const c = {
    type: 'hello', page: pageId, userAgent: navigator.userAgent,
    crossOriginIsolated: self.crossOriginIsolated === true,
    hardwareConcurrency: navigator.hardwareConcurrency || 0,
    wasm: { simd: WebAssembly.validate(simdProbe), threads: typeof SharedArrayBuffer !== 'undefined' && self.crossOriginIsolated === true },
  };
  if (navigator.userAgentData && navigator.userAgentData.getHighEntropyValues) {
    try {
      const h = await navigator.userAgentData.getHighEntropyValues(['fullVersionList']);
      c.brands = h.fullVersionList || [];
    } catch (e) { c.brands = []; }
  }
  c.webgpu = { available: false };
  if (!navigator.gpu) c.webgpu.error = 'navigator.gpu is undefined (WebGPU not exposed)';
  else {
    try {
      const a = await navigator.gpu.requestAdapter();
      if (!a) c.webgpu.error = 'navigator.gpu.requestAdapter() returned null';
      else {
        const info = a.info || {};
        const limits = {};
        for (const k of ['maxBufferSize', 'maxStorageBufferBindingSize', 'maxComputeWorkgroupStorageSize',
          'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupsPerDimension', 'maxStorageBuffersPerShaderStage']) limits[k] = a.limits[k];
        c.webgpu = {
          available: true, vendor: info.vendor || '', architecture: info.architecture || '',
          description: info.description || '', device: info.device || '',
          isFallbackAdapter: info.isFallbackAdapter === true || a.isFallbackAdapter === true,
          features: [...a.features].sort(), limits,
        };
      }
    } catch (e) { c.webgpu.error = errText(e); }
  }
  c.webnn = { present: !!navigator.ml, contexts: {} };
  if (!navigator.ml) c.webnn.error = 'navigator.ml is undefined (WebNN not exposed)';
  else {
    for (const dt of ['cpu', 'gpu', 'npu']) {
      try {
        const ctx = await navigator.ml.createContext({ deviceType: dt });
        c.webnn.contexts[dt] = { ok: true };
        if (ctx && ctx.destroy) ctx.destroy();
      } catch (e) { c.webnn.contexts[dt] = { ok: false, error: errText(e) }; }
    }
  }
  return c;
}

const ctorOf = {
  float32: Float32Array, float64: Float64Array, int8: Int8Array, uint8: Uint8Array, int16: Int16Array,
  uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array, int64: BigInt64Array, uint64: BigUint64Array,
  bool: Uint8Array, float16: Uint16Array,
};

// Binary frame: u32 LE header length, UTF-8 JSON header, zero padding to 8, then each tensor's raw
// little-endian bytes at header.tensors[i].offset (relative to the data start, 8-aligned).
const utf8Decoder = new TextDecoder();
const utf8Encoder = new TextEncoder();
function decodeFrame(buf) {
  const dv = new DataView(buf);
  const hlen = dv.getUint32(0, true);
  const hdr = JSON.parse(utf8Decoder.decode(new Uint8Array(buf, 4, hlen)));
  const dataStart = (4 + hlen + 7) & ~7;
  return { hdr, buf, dataStart };
}

// Replies are built in one buffer kept across runs (ws.send copies what it is given) rather than
// a fresh allocation per reply (encoding a 131 KB reply: 0.13-0.27 -> 0.08-0.12 ms here).
const REUSE_MAX = 64 << 20;
let replyBuf = new ArrayBuffer(1 << 16);
function encodeFrame(hdr, arrays) {
  let off = 0;
  hdr.tensors = hdr.tensors || [];
  arrays.forEach((a, i) => { hdr.tensors[i].offset = off; hdr.tensors[i].bytes = a.byteLength; off += (a.byteLength + 7) & ~7; });
  const hbytes = utf8Encoder.encode(JSON.stringify(hdr));
  const dataStart = (4 + hbytes.length + 7) & ~7;
  const total = dataStart + off;
  let buf;
  if (total > REUSE_MAX) buf = new ArrayBuffer(total);
  else {
    if (replyBuf.byteLength < total) replyBuf = new ArrayBuffer(Math.min(REUSE_MAX, Math.max(total, 2 * replyBuf.byteLength)));
    buf = replyBuf;
  }
  const out = new Uint8Array(buf, 0, total);
  out.fill(0, 0, dataStart);
  new DataView(buf).setUint32(0, hbytes.length, true);
  out.set(hbytes, 4);
  arrays.forEach((a, i) => {
    const at = dataStart + hdr.tensors[i].offset;
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    out.fill(0, at + a.byteLength, at + ((a.byteLength + 7) & ~7));
  });
  return out;
}

function send(obj) { if (ws && ws.readyState === 1) ws.send(JSON.stringify(obj)); }

async function useBundle(name, msg) {
  if (bundle === name) return;
  if (bundle) throw new Error(`this page already uses bundle ${bundle}; one bundle per page`);
  if (!/^ort(\.[a-z]+)?\.min\.mjs$/.test(name)) throw new Error(`unknown bundle ${name}`);
  ort = await import(`${base}ort/${name}`);
  bundle = name;
  ort.env.wasm.numThreads = msg.threads > 0 ? msg.threads : (self.crossOriginIsolated ? navigator.hardwareConcurrency : 1);
  ort.env.logLevel = 'warning';
}

// Which execution providers got how many nodes, from onnxruntime's verbose placement log
// ("Node(s) placed on [X]. Number of nodes: N", or "All nodes placed on [X]"), with the op types.
function placements(lines) {
  const out = [];
  let cur = null;
  for (const l of lines) {
    const m = l.match(/(?:All nodes|Node\(s\)) placed on \[(\w+)\]\. Number of nodes: (\d+)/);
    if (m) { cur = { ep: m[1], nodes: Number(m[2]), ops: {} }; out.push(cur); continue; }
    const n = l.match(/VerifyEachNodeIsAssignedToAnEp\]\s+(\w+) \(/);
    if (n && cur) cur.ops[n[1]] = (cur.ops[n[1]] || 0) + 1;
  }
  return out;
}

// The requested device's EP must hold nodes; nodes onnxruntime keeps on the CPU (shape
// arithmetic) are listed, not hidden. A session with no node on the requested EP is not verified.
function epMatches(requested, placed) {
  const want = { wasm: ['CPUExecutionProvider'], webgpu: ['WebGpuExecutionProvider', 'JsExecutionProvider'], webnn: ['WebNNExecutionProvider'] }[requested] || [];
  return placed.some((p) => want.includes(p.ep) && p.nodes > 0);
}

async function onLoad(msg) {
  const t0 = performance.now();
  await useBundle(msg.bundle, msg);
  const t1 = performance.now();
  const resp = await fetch(msg.url);
  if (!resp.ok) throw new Error(`fetching the model: HTTP ${resp.status}`);
  const bytes = new Uint8Array(await resp.arrayBuffer());
  const t2 = performance.now();
  const ep = msg.ep === 'webnn' ? { name: 'webnn', deviceType: msg.webnnDevice || 'cpu' } : msg.ep;
  const opts = {
    executionProviders: [ep], graphOptimizationLevel: 'all', logSeverityLevel: 0, logVerbosityLevel: 0,
    freeDimensionOverrides: msg.freeDims || {},
  };
  // Idle onnxruntime worker threads spin by default, waiting for the next parallel section. Between
  // bridge requests that spinning takes a core from the network service, the browser's IPC and
  // our server thread: off unless the load message asks for it (it does except on wasm; measured
  // in docs/BROWSER.md).
  if (msg.spin !== true) opts.extra = { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } };
  const mark = logLines.length;
  const sess = await ort.InferenceSession.create(bytes, opts);
  const t3 = performance.now();
  const placed = placements(logLines.slice(mark));
  const id = nextSession++;
  sessions.set(id, { sess, feeds: null, ep: msg.ep });
  let adapter = null;
  if (msg.ep === 'webgpu') {
    try {
      const dev = await ort.env.webgpu.device;
      const info = dev && dev.adapterInfo ? dev.adapterInfo : null;
      if (info) adapter = { vendor: info.vendor, architecture: info.architecture, description: info.description, isFallbackAdapter: info.isFallbackAdapter === true };
    } catch (e) { adapter = { error: errText(e) }; }
  }
  return {
    type: 'loaded', id: msg.id, session: id, inputs: sess.inputNames, outputs: sess.outputNames,
    bundle, ortVersion: ort.env.versions ? ort.env.versions.web || ort.env.versions.common : '',
    placements: placed, epVerified: epMatches(msg.ep, placed), adapter,
    wasmThreads: ort.env.wasm.numThreads,
    timings: { bundle_ms: t1 - t0, download_ms: t2 - t1, create_ms: t3 - t2 }, modelBytes: bytes.length,
  };
}

function feedsFrom(f) {
  const feeds = {};
  for (const t of f.hdr.tensors) {
    const C = ctorOf[t.dtype];
    if (!C) throw new Error(`unsupported dtype ${t.dtype} for input ${t.name}`);
    const n = t.dims.reduce((a, b) => a * b, 1);
    if (n * C.BYTES_PER_ELEMENT !== t.bytes) throw new Error(`input ${t.name}: ${t.bytes} bytes for ${n} elements of ${t.dtype}`);
    const arr = new C(f.buf, f.dataStart + t.offset, n);
    feeds[t.name] = new ort.Tensor(t.dtype, arr, t.dims);
  }
  return feeds;
}

async function onRun(f, tRecv, tEvent) {
  const s = sessions.get(f.hdr.session);
  if (!s) throw new Error(`no session ${f.hdr.session} on this page`);
  const feeds = feedsFrom(f);
  s.feeds = feeds;
  const t0 = performance.now();
  const out = await s.sess.run(feeds);
  const t1 = performance.now();
  const hdr = { type: 'result', id: f.hdr.id, tensors: [], timings: { run_ms: t1 - t0 } };
  const wall = (t) => performance.timeOrigin + t;
  const arrays = [];
  for (const name of s.sess.outputNames) {
    const t = out[name];
    let data = t.data;
    if (t.location && t.location !== 'cpu') data = await t.getData();
    hdr.tensors.push({ name, dtype: t.type, dims: t.dims.map(Number) });
    arrays.push(t.type === 'bool' ? Uint8Array.from(data, (x) => (x ? 1 : 0)) : data);
  }
  hdr.timings.prepare_ms = t0 - tRecv;
  const tSend = performance.now();
  hdr.timings.outputs_ms = tSend - t1;
  hdr.timings.at = { event: wall(tEvent), handler: wall(tRecv), run0: wall(t0), run1: wall(t1), send: wall(tSend) };
  hdr.timings.prev_reply_send_ms = lastReplySendMs; // frame encoding + ws.send of the previous reply
  lastEncodeStart = performance.now();
  const frame = encodeFrame(hdr, arrays);
  for (const t of Object.values(out)) if (t.dispose) t.dispose();
  return frame;
}

// The same session driven directly in the page with the last inputs: the peer of the bridge benchmark.
async function onBench(msg) {
  const s = sessions.get(msg.session);
  if (!s || !s.feeds) throw new Error('bench needs a session that has run once');
  const times = [];
  for (let i = 0; i < msg.iters; i++) {
    const t0 = performance.now();
    const out = await s.sess.run(s.feeds);
    times.push(performance.now() - t0);
    for (const t of Object.values(out)) if (t.dispose) t.dispose();
  }
  return { type: 'bench', id: msg.id, times };
}

async function onMessage(ev) {
  const tRecv = performance.now();
  let id = null;
  try {
    if (typeof ev.data === 'string') {
      const msg = JSON.parse(ev.data);
      id = msg.id;
      if (msg.type === 'load') send(await onLoad(msg));
      else if (msg.type === 'bench') send(await onBench(msg));
      else if (msg.type === 'release') { const s = sessions.get(msg.session); if (s) { await s.sess.release(); sessions.delete(msg.session); } send({ type: 'released', id }); }
      else if (msg.type === 'echo') ws.send(ev.data);
      else throw new Error(`unknown request type ${msg.type}`);
    } else {
      const f = decodeFrame(ev.data);
      id = f.hdr.id;
      if (f.hdr.type === 'run') {
        const frame = await onRun(f, tRecv, ev.timeStamp);
        ws.send(frame);
        lastReplySendMs = performance.now() - lastEncodeStart;
      }
      else if (f.hdr.type === 'echo') ws.send(ev.data);
      else throw new Error(`unknown binary request type ${f.hdr.type}`);
    }
  } catch (e) {
    send({ type: 'error', id, message: errText(e) });
  }
}

async function main() {
  if (pageId === 0) { // the pool's other pages, as separate tabs of the same browser
    const n = Math.min(Number(params.get('pages') || 1), 64);
    for (let k = 1; k < n; k++) window.open(`${location.pathname}?page=${k}`, `ia-page-${k}`);
  }
  const caps = await capabilities();
  // The WebSocket endpoint has its own port (our RFC 6455 listener; this page comes from the HTTP server).
  const info = await (await fetch(`${base}ws.json`)).json();
  ws = new WebSocket(`ws://${location.hostname}:${info.port}${base}ws?page=${pageId}`);
  ws.binaryType = 'arraybuffer';
  ws.onopen = () => { statusEl.textContent = 'connected'; send(caps); };
  ws.onmessage = (ev) => { onMessage(ev); };
  ws.onclose = () => { statusEl.textContent = 'closed'; };
  setInterval(() => send({ type: 'heartbeat', t: performance.now(), sessions: sessions.size }), 1000);
}
main();
