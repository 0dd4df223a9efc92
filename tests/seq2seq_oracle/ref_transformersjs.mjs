#!/usr/bin/env node
// A second, independent reference for greedy encoder-decoder generation: @huggingface/transformers
// (transformers.js, pinned in tools/transformers-oracle; its own T5 loop over encoder_model.onnx and
// decoder_model_merged.onnx) run offline on the model folder. transformers.js has no beam search.
//   node ref_transformersjs.mjs MODEL_DIR --ids "5 6 7" [--max-new-tokens N]
// Prints the new decoder ids (without the start token).
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../../tools/transformers-oracle/package.json'));
function die(msg) { process.stderr.write(`ref_transformersjs: ${msg}\n`); process.exit(1); }
let tf;
try { tf = await import(require.resolve('@huggingface/transformers')); } catch (e) {
  die(`@huggingface/transformers is not installed (${e.code || e.message}); run scripts/bootstrap.sh`);
}
const args = process.argv.slice(2);
let dir = null, ids = null, maxNew = 20;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--ids') ids = args[++i].trim().split(/[\s,]+/).map(BigInt);
  else if (args[i] === '--max-new-tokens') maxNew = Number(args[++i]);
  else if (!dir) dir = args[i];
  else die(`unexpected argument ${args[i]}`);
}
if (!dir || !ids) die('usage: see the header');
tf.env.allowRemoteModels = false;
tf.env.useFSCache = false;
tf.env.localModelPath = path.dirname(path.resolve(dir));
const model = await tf.AutoModelForSeq2SeqLM.from_pretrained(path.basename(path.resolve(dir)), { dtype: 'fp32', device: 'cpu' });
const t = (a) => new tf.Tensor('int64', BigInt64Array.from(a), [1, a.length]);
const out = await model.generate({ inputs: t(ids), attention_mask: t(ids.map(() => 1n)), max_new_tokens: maxNew, do_sample: false, num_beams: 1 });
process.stdout.write(out.tolist()[0].slice(1).map(Number).join(' ') + '\n');
