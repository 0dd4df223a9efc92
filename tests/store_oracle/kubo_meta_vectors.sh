#!/bin/sh
# oracle: the mode/mtime CIDs published in kubo's test/sharness/t0047-add-mode-mtime.sh, inputs made
# as that test makes them (an empty file, a symlink to "nothing", a small tree with a symlink).
# ipfs-unixfs-importer takes no symlinks, so kubo's own vectors are the oracle for links: kubo writes
# a link's mtime (--preserve-mtime: the link's own; --mtime) and never its mode.
# usage: kubo_meta_vectors.sh BIN [PYTHON]
set -eu
BIN=$1
PY=${2:-/usr/bin/python3}
T=$(mktemp -d /tmp/ia-kubo-meta-XXXXXX)
trap 'rm -rf "$T"' EXIT
umask 022
fails=0
expect() { # name, want, add args...
  name=$1; want=$2; shift 2
  got=$("$BIN" add -Q -n "$@" 2>&1) || true
  if [ "$got" = "$want" ]; then echo "ok   $name"; else echo "FAIL $name: got $got, kubo $want"; fails=$((fails + 1)); fi
}
F="$T/test.txt"; L="$T/linkfile"
touch "$F"; ln -s nothing "$L"
expect "file, no flags" QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH "$F"
chmod 0640 "$F"
expect "file --preserve-mode" QmQLgxypSNGNFTuUPGCecq6dDEjb6hNB5xSyVmP3cEuNtq --preserve-mode "$F"
chmod 0644 "$F"; touch -m -d @1604320482 "$F"
expect "file --preserve-mtime" QmQ6kErEW8kztQFV8vbwNU8E4dmtGsYpRiboiLxUEwibvj --preserve-mtime "$F"
chmod 0640 "$F"
expect "file --preserve-mode --preserve-mtime" QmYkvboLsvLFcSYmqVJRxvBdYRQLroLv9kELf3LRiCqBri --preserve-mode --preserve-mtime "$F"
chmod 0600 "$F"
expect "file --mode" QmchD3BN8TQ3RW6jPLxSaNkqvfuj7syKhzTRmL4EpyY1Nz --mode=0764 "$F"
expect "file --mtime" QmT3aY4avDcYXCWpU8CJzqUkW7YEuEsx36S8cTNoLcuK1B --mtime=1603539720 "$F"
expect "file --mtime --mtime-nsecs" QmaKH8H5rXBUBCX4vdxi7ktGQEL7wejV7L9rX2qpZjwncz --mtime=1603539720 --mtime-nsecs=54321 "$F"
expect "file --mode --mtime --mtime-nsecs" QmUkxrtBA8tPjwCYz1HrsoRfDz6NgKut3asVeHVQNH4C8L --mode=0764 --mtime=1603539720 --mtime-nsecs=54321 "$F"
touch -h -m -d @1604320482 "$L"
expect "symlink --preserve-mtime" QmbJwotgtr84JxcnjpwJ86uZiyMoxbZuNH4YrdJMypkYaB --preserve-mtime "$L"
expect "symlink --preserve-mode --preserve-mtime (no mode on links)" QmbJwotgtr84JxcnjpwJ86uZiyMoxbZuNH4YrdJMypkYaB --preserve-mode --preserve-mtime "$L"
expect "symlink --mtime" QmV1Uot2gy4bhY9yvYiZxhhchhyYC6MKKoGV1XtWNmpCLe --mtime=1603539720 "$L"
expect "symlink --mtime --mode (no mode on links)" QmV1Uot2gy4bhY9yvYiZxhhchhyYC6MKKoGV1XtWNmpCLe --mtime=1603539720 --mode=0764 "$L"
expect "symlink --mtime --mtime-nsecs" QmPHYCxYvvHj6VxiPNJ3kXxcPsnJLDYUJqsDJWjvytmrmY --mtime=1603539720 --mtime-nsecs=54321 "$L"
# the symlink's node, stored and decoded here (Python, independent of our decoder): Type=Symlink,
# Data="nothing", the mtime with its nanoseconds, no mode
export IPFS_ACCELERATE_HOME="$T/store"
cid=$("$BIN" add -Q --mtime=1603539720 --mtime-nsecs=54321 --mode=0764 --cid-version=1 "$L")
got=$("$PY" - "$cid" "$T/store" <<'PYEOF'
import sys, base64
cid, store = sys.argv[1], sys.argv[2]
raw = base64.b32decode(cid[1:].upper() + "=" * (-len(cid[1:]) % 8))
assert raw[0] == 1 and raw[1] == 0x70, "not a CIDv1 dag-pb"
key = base64.b32encode(raw[2:]).decode().rstrip("=")
blk = open(f"{store}/blocks/{key[-3:-1]}/{key}.data", "rb").read()
def uv(b, o):
    v = s = 0
    while True:
        c = b[o]; o += 1; v |= (c & 0x7f) << s; s += 7
        if c < 0x80: return v, o
def fields(b):
    o, out = 0, []
    while o < len(b):
        k, o = uv(b, o)
        f, w = k >> 3, k & 7
        if w == 0: v, o = uv(b, o)
        elif w == 2: n, o = uv(b, o); v = b[o:o + n]; o += n
        elif w == 5: v = int.from_bytes(b[o:o + 4], "little"); o += 4
        else: raise SystemExit(f"wire type {w}")
        out.append((f, v))
    return out
top = fields(blk)
assert [f for f, _ in top] == [1], f"PBNode fields {top}"
u = dict(fields(top[0][1]))
mt = dict(fields(u[8])) if 8 in u else {}
print(f"type={u.get(1)} data={u.get(2, b'').decode()} mode={u.get(7)} filesize={u.get(3)} mtime={mt.get(1)}.{mt.get(2)}")
PYEOF
) || got="decode failed: $got"
want="type=4 data=nothing mode=None filesize=None mtime=1603539720.54321"
if [ "$got" = "$want" ]; then echo "ok   symlink node decoded: $got"; else echo "FAIL symlink node: $got (want $want)"; fails=$((fails + 1)); fi
# the tree of t0047's setup_directory (DIR_TIME=1655158632), every entry's CID sorted
D="$T/dir"; DT=1655158632
mkdir -p "$D/dir1" "$D/dir2/sub1/sub2" "$D/dir3"; chmod 0700 "$D"; chmod 0755 "$D/dir1"
touch -md @$((DT + 10)) "$D/dir2/sub1/sub2/file3"
ln -s ../sub2/file3 "$D/dir2/sub1/link1"; touch -h -md @$((DT + 20)) "$D/dir2/sub1/link1"
touch -md @$((DT + 30)) "$D/dir2/sub1/sub2"; touch -md @$((DT + 40)) "$D/dir2/sub1"; touch -md @$((DT + 50)) "$D/dir2"
touch -md @$((DT + 60)) "$D/dir3/file2"; touch -md @$((DT + 70)) "$D/dir3"
touch -md @$((DT + 80)) "$D/file1"; touch -md @$((DT + 90)) "$D/dir1"; touch -md @$DT "$D"
tree() { # name, want (sorted, space-separated), flags...
  name=$1; want=$2; shift 2
  got=$("$BIN" add -q -r -n "$@" "$D" 2>&1 | sort | tr '\n' ' ' | sed 's/ $//') || true
  if [ "$got" = "$want" ]; then echo "ok   $name"; else echo "FAIL $name:"; echo "  got  $got"; echo "  kubo $want"; fails=$((fails + 1)); fi
}
# --preserve-mode on entries whose mode is the default (files 0644, directories 0755): kubo writes
# the mode (boxo's SetModeFromUnixPermissions drops only 0) while ipfs-unixfs-importer, which this
# store follows (docs/STORE.md), leaves it out; so this tree differs from kubo's in the entries with
# a default mode and their parents. Checked here as a known difference: its cause is asserted (dir1,
# empty, 0755, mtime DIR_TIME+90: kubo's list holds the node with mode 0755 written, ours the one
# without, both built here by Python), and the day the trees agree the test says so.
known_diff_tree() {
  got=$("$BIN" add -q -r -n --preserve-mode --preserve-mtime "$D" 2>&1 | sort | tr '\n' ' ' | sed 's/ $//') || true
  if [ "$got" = "$1" ]; then echo "ok   tree --preserve-mode --preserve-mtime (now equal to kubo's: update docs/STORE.md)"; return; fi
  pair=$("$PY" - <<'PYEOF'
import hashlib
def uv(n):
    o = b""
    while True:
        b = n & 0x7f; n >>= 7
        if n: o += bytes([b | 0x80])
        else: return o + bytes([b])
def cid0(u):
    d = b"\x12\x20" + hashlib.sha256(b"\x0a" + uv(len(u)) + u).digest()
    a = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    n, s = int.from_bytes(d, "big"), ""
    while n: n, r = divmod(n, 58); s = a[r] + s
    return s
mt = b"\x08" + uv(1655158632 + 90)
tail = b"\x42" + uv(len(mt)) + mt
print(cid0(b"\x08\x01" + tail), cid0(b"\x08\x01\x38" + uv(0o755) + tail))
PYEOF
)
  ours_dir1=${pair% *}; kubo_dir1=${pair#* }
  case " $got " in *" $ours_dir1 "*) in_ours=1 ;; *) in_ours=0 ;; esac
  case " $1 " in *" $kubo_dir1 "*) in_kubo=1 ;; *) in_kubo=0 ;; esac
  n=$(for c in $got; do case " $1 " in *" $c "*) ;; *) echo x ;; esac; done | wc -l)
  if [ "$in_ours" = 1 ] && [ "$in_kubo" = 1 ]; then
    echo "ok   tree --preserve-mode --preserve-mtime: known difference ($n of 10 CIDs differ: kubo writes default modes; dir1 is $ours_dir1 here, $kubo_dir1 in kubo)"
  else echo "FAIL tree --preserve-mode --preserve-mtime: differs from kubo, and not (only) by default modes: $got"; fails=$((fails + 1)); fi
}
known_diff_tree "QmRCG3Pprg4jbhfYBzVzfJVyneFHnBquPGXwvXU3jSuf5j QmReHCn4BSJJdtd6Le8Hd8Puai6TmgpPCYb13wyM7FD9AD QmSioyvQuXetxg7uo8FswGn9XKKEsisDq1HTMzGyWbw2R6 QmTMoVgJKhPrz9DfkvT132mxyBXNae5azXQ42WbM9abdSE QmVzXqpuQGCAgRwEbGuE9xe8Fidi1HEXaPKsQEFEbPJW9j QmW6Nqy2nziduAp3UGx2a52gtSUsYzhVcZMuPdxBRnwCyP QmeQwX5qAX18fcPDxDdkfM6ttuFCZetF5hgeUa6ov8D5oc QmefofUNwC2U3Xp87rB1x8Aws6AdsDuoXR7B9u2RkEZ4dQ Qmeu24TFarJwLzJgMTDYDJTr4BMGnzafoSnfxov1513abW Qmf82bbFg2e8HmcqiewutVVw5NoMpiXZD57LpLdC1poBuH"
tree "tree --mode=0753" "QmNZ5cyx3f6maXkczwhh3ufjDCh9f3k9zrDhX218ZZGvoV QmRqtFVLkXfWJuqWtYiCPthgomo3gouno8uvMeGAyCVaWS QmSkrWNcyDA7s1qiT6Ps7ey4zcB7uBH3sqGcKRfW4UMKhM QmSkrWNcyDA7s1qiT6Ps7ey4zcB7uBH3sqGcKRfW4UMKhM QmSkrWNcyDA7s1qiT6Ps7ey4zcB7uBH3sqGcKRfW4UMKhM QmZNAZXB6JyJ1cK9h1uJEK4XDo1CKsSuHMPGUUMrzDXCQz QmbSz6GyS8MNR4M9xtCteuGVJQRYkCXLbW174Fdy8jtaoZ QmccnAQQeJGtmtgZoi3hpEmgdxbuX1ao2hQmrKmmwQnCn9 QmeTZoiAiduFY2hXaNQP4ehiE71BrQFEnrqduBZ5ZjHuFy Qmf13KNurvAHUfMBhMWvZuftmUikhhGY7ohWVaBDDndFMz" --mode=0753
tree "tree --mtime=1603539720" "QmPCGFZ8ZFowAwfWdCeGsr9wSbGXwZiHW3bZ7XSYcc1Zby QmT3aY4avDcYXCWpU8CJzqUkW7YEuEsx36S8cTNoLcuK1B QmT3aY4avDcYXCWpU8CJzqUkW7YEuEsx36S8cTNoLcuK1B QmT3aY4avDcYXCWpU8CJzqUkW7YEuEsx36S8cTNoLcuK1B QmUGMu9epCEz5HMsuJFgpJxxt3HoahsTQcC65Jje6LNqYF QmXhzoPKuqmkqbyr4kJFznFRXtGwriCXKGFPr4vviyK3aV QmZ5wKCcL11TckypuDTKLLNFP6JMCBJRCn385XKQQ6PCLt Qmdw3hiAxn6R5MRkkdzLdFvZUa2WJeLCTXXCyB8byFsHSA QmedF4m2Y8341azfkpvaHSkxbSrZa4fo6FT25h6sRUVkpq QmfWitW6F13WHFXLbJzXRYmwrS1p4gaAJAfucUSMytRPn3" --mtime=1603539720
[ "$fails" -eq 0 ] && echo "all passed" || { echo "$fails failures"; exit 1; }
