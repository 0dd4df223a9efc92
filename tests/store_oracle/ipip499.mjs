// IPIP-499 CID profile vectors as kubo publishes them (test/cli/cid_profiles_test.go): the same
// inputs, regenerated here exactly as kubo's test harness makes them, must give the same CIDs.
//   data: ChaCha20 keystream, key = sha256(seed), zero nonce, counter 0 (kubo's
//         testutils.DeterministicRandomReader), added as one file;
//   dirs: file names drawn from that stream, char = "abcdefghijklmnopqrstuvwxyz01234567890-_"[b % 39],
//         every file holding "x", added with -r.
// usage: node ipip499.mjs --bin PATH/ipfs-accelerate
import { spawnSync } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const bin = args[args.indexOf('--bin') + 1];
const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir(); // 1 GiB inputs: keep them off the disk where possible
const work = mkdtempSync(join(base, 'ia-ipip499-'));
let passed = 0, failed = 0;
const check = (name, got, want) => {
  if (got === want) { passed++; console.log(`ok   ${name} ${got}`); }
  else { failed++; console.log(`FAIL ${name}: ours=${got} kubo=${want}`); }
};

function stream(seed) {
  const key = createHash('sha256').update(seed).digest();
  const c = createCipheriv('chacha20', key, Buffer.alloc(16)); // 4-byte counter 0 + 12-byte zero nonce
  return (n) => c.update(Buffer.alloc(n));
}

function add(flags, path) {
  const r = spawnSync(bin, ['add', '-Q', '-n', ...flags, path], { maxBuffer: 1 << 20 });
  return r.status === 0 ? r.stdout.toString().trim() : `error: ${r.stderr}`;
}

const ALPHA = 'abcdefghijklmnopqrstuvwxyz01234567890-_';
function makeDir(dir, seed, numFiles, nameLen, lastNameLen) {
  mkdirSync(dir);
  const next = stream(seed);
  for (let i = 0; i < numFiles; i++) {
    const len = i === numFiles - 1 ? lastNameLen : nameLen;
    const name = [...next(len)].map((b) => ALPHA[b % ALPHA.length]).join('');
    writeFileSync(join(dir, name), 'x');
  }
}

const profiles = [
  { name: 'unixfs-v0-2015', flags: ['--profile=unixfs-v0-2015'], seed: 'v0-seed', hamtSeed: 'hamt-unixfs-v0-2015',
    chunk: 256 * 1024, links: 174,
    basic: [4096, 30, 30], hamt: [4033, 31, 31],
    small: 'Qmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyfD',
    atMax: 'QmUbBALi174SnogsUzLpYbD4xPiBSFANF4iztWCsHbMKh2',
    overMax: 'QmepeWtdmS1hHXx1oZXsPUv6bMrfRRKfZcoPPU4eEfjnbf',
    dirBasic: 'QmX5GtRk3TSSEHtdrykgqm4eqMEn3n2XhfkFAis5fjyZmN',
    dirHamt: 'QmeMiJzmhpJAUgynAcxTQYek5PPKgdv3qEvFsdV3XpVnvP' },
  { name: 'unixfs-v1-2025', flags: ['--profile=unixfs-v1-2025'], seed: 'v1-2025-seed', hamtSeed: 'hamt-unixfs-v1-2025',
    chunk: 1024 * 1024, links: 1024,
    basic: [4766, 11, 21], hamt: [4766, 11, 22],
    small: 'bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e',
    atMax: 'bafybeihmf37wcuvtx4hpu7he5zl5qaf2ineo2lqlfrapokkm5zzw7zyhvm',
    overMax: 'bafybeihmzokxxjqwxjcryerhp5ezpcog2wcawfryb2xm64xiakgm4a5jue',
    dirBasic: 'bafybeic3h7rwruealwxkacabdy45jivq2crwz6bufb5ljwupn36gicplx4',
    dirHamt: 'bafybeiegvuterwurhdtkikfhbxcldohmxp566vpjdofhzmnhv6o4freidu' },
];
// kubo's default is unixfs-v0-2015: the same vectors without flags
profiles.push({ ...profiles[0], name: 'default (no flags)', flags: [] });

try {
  for (const p of profiles) {
    const small = join(work, 'small');
    writeFileSync(small, 'hello world');
    check(`${p.name} small-file`, add(p.flags, small), p.small);
    // file-at-max-links (links x chunk bytes), then one chunk more (rebalanced): same stream
    const f = join(work, 'data');
    const next = stream(p.seed);
    const fd = openSync(f, 'w');
    for (let left = p.links * p.chunk; left > 0; left -= 16 << 20) writeSync(fd, next(Math.min(left, 16 << 20)));
    closeSync(fd);
    check(`${p.name} file-at-max-links`, add(p.flags, f), p.atMax);
    const fd2 = openSync(f, 'a');
    writeSync(fd2, next(p.chunk));
    closeSync(fd2);
    check(`${p.name} file-over-max-links`, add(p.flags, f), p.overMax);
    rmSync(f);
    const d1 = join(work, `basic-${passed + failed}`), d2 = join(work, `hamt-${passed + failed}`);
    makeDir(d1, p.hamtSeed, ...p.basic);
    check(`${p.name} dir-basic (at the HAMT threshold: stays flat)`, add(['-r', ...p.flags], d1), p.dirBasic);
    makeDir(d2, p.hamtSeed, ...p.hamt);
    check(`${p.name} dir-hamt (threshold + 1 byte: sharded)`, add(['-r', ...p.flags], d2), p.dirHamt);
    rmSync(d1, { recursive: true });
    rmSync(d2, { recursive: true });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
