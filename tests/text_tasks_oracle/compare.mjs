#!/usr/bin/env node
// Compares our JSON output with the reference's: same structure, equal strings and integers, and
// numbers (scores) within 1e-4. Prints the first difference and exits 1 when they differ.
//   node compare.mjs REF.json OURS.json LABEL
import fs from 'node:fs';

const [refPath, oursPath, what] = process.argv.slice(2);
const ref = JSON.parse(fs.readFileSync(refPath, 'utf8'));
let ours;
try { ours = JSON.parse(fs.readFileSync(oursPath, 'utf8')); } catch (e) {
  console.log(`FAIL ${what}: our output is not JSON (${e.message})`);
  process.exit(1);
}
let maxDiff = 0, count = 0;
function cmp(a, b, at) {
  if (typeof a === 'number' && typeof b === 'number') {
    count++;
    if (Number.isInteger(a) && Number.isInteger(b) && !at.endsWith('score')) return a === b ? null : `${at}: ${a} != ${b}`;
    const d = Math.abs(a - b);
    maxDiff = Math.max(maxDiff, d);
    return d <= 1e-4 ? null : `${at}: ${a} vs ${b} (|diff| ${d})`;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b)) return `${at}: array vs non-array`;
    if (a.length !== b.length) return `${at}: length ${a.length} != ${b.length}`;
    for (let i = 0; i < a.length; i++) { const r = cmp(a[i], b[i], `${at}[${i}]`); if (r) return r; }
    return null;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).sort(), kb = Object.keys(b).sort();
    if (ka.join() !== kb.join()) return `${at}: keys ${ka} != ${kb}`;
    for (const k of ka) { const r = cmp(a[k], b[k], `${at}.${k}`); if (r) return r; }
    return null;
  }
  return a === b ? null : `${at}: ${JSON.stringify(a)} != ${JSON.stringify(b)}`;
}
const diff = cmp(ref, ours, '');
if (diff) { console.log(`FAIL ${what}: ${diff}`); process.exit(1); }
console.log(`ok   ${what}: ${ref.length} inputs equal (${count} numbers, max |score diff| ${maxDiff.toExponential(2)})`);
