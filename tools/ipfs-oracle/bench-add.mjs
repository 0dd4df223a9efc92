// Imports one file with ipfs-unixfs-importer (kubo-equivalent options) and prints
// "<cid> <seconds>"; used by bench/store_add.sh. Blocks go to an in-memory blockstore
// (or nowhere with --blackhole).
import { createReadStream } from 'node:fs';
import { importer } from 'ipfs-unixfs-importer';
import { MemoryBlockstore, BlackHoleBlockstore } from 'blockstore-core';

const [file, profile, sink] = process.argv.slice(2);
const bs = sink === '--blackhole' ? new BlackHoleBlockstore() : new MemoryBlockstore();
const opts = profile && profile !== 'cid-v1' ? { profile } : {};
const t0 = process.hrtime.bigint();
let last;
for await (const e of importer([{ path: 'f', content: createReadStream(file, { highWaterMark: 1 << 20 }) }], bs, opts)) last = e;
const s = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(`${last.cid} ${s.toFixed(3)}`);
