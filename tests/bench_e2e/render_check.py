# Renders an HTML benchmark report in headless Chromium and checks it: the screenshot is not blank
# (PNG decoded here with zlib + struct) and every chart section of the rendered DOM holds one <svg>.
# usage: render_check.py CHROMIUM REPORT.html WORKDIR [--expect-generation]   (exit 0 pass, 1 fail)
import html.parser
import os
import struct
import subprocess
import sys
import zlib

FLAGS = ["--headless", "--no-sandbox", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-gpu"]
BAR = (0x3a, 0x6e, 0xa5)  # bar colour of the report's charts


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def chromium(exe, work, name, extra, url):
    prof = os.path.join(work, "profile-" + name)
    os.makedirs(prof, exist_ok=True)
    cmd = [exe] + FLAGS + ["--user-data-dir=" + prof] + extra + [url]
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=90)
    except subprocess.TimeoutExpired:
        fail("chromium did not finish within 90 s: " + " ".join(cmd))
    return p


def decode_png(data):
    """Returns (width, height, rows of (r, g, b) tuples) for 8-bit RGB/RGBA/gray PNGs."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail("screenshot is not a PNG")
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        ln, typ = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + ln]
        pos += 12 + ln
        if typ == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif typ == b"IDAT":
            idat += body
        elif typ == b"IEND":
            break
    w, h, depth, ctype, _, _, interlace = ihdr
    if depth != 8 or interlace or ctype not in (0, 2, 4, 6):
        fail("unsupported PNG (depth %d, colour type %d, interlace %d)" % (depth, ctype, interlace))
    bpp = {0: 1, 2: 3, 4: 2, 6: 4}[ctype]
    raw = zlib.decompress(idat)
    stride = w * bpp
    prev = bytearray(stride)
    rows = []
    i = 0
    for _ in range(h):
        f = raw[i]
        line = bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + ((a + b) >> 1)) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[x] = (line[x] + pr) & 255
            elif f != 0:
                fail("bad PNG filter %d" % f)
        prev = line
        if ctype in (0, 4):
            rows.append([(line[k], line[k], line[k]) for k in range(0, stride, bpp)])
        else:
            rows.append([(line[k], line[k + 1], line[k + 2]) for k in range(0, stride, bpp)])
    return w, h, rows


class Sections(html.parser.HTMLParser):
    """Counts <svg> elements per <section> (innermost), keeping class and data-topic."""

    def __init__(self):
        super().__init__()
        self.stack, self.done, self.scripts, self.external = [], [], 0, []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section":
            self.stack.append({"class": a.get("class", ""), "topic": a.get("data-topic", ""), "svg": 0, "h": ""})
        elif tag == "svg" and self.stack:
            self.stack[-1]["svg"] += 1
        elif tag == "script":
            self.scripts += 1
        for k in ("src", "href"):
            v = a.get(k) or ""
            if v and not v.startswith("#") and not v.startswith("data:"):
                self.external.append(v)

    def handle_endtag(self, tag):
        if tag == "section" and self.stack:
            self.done.append(self.stack.pop())


def main():
    exe, report, work = sys.argv[1:4]  # optional 4th: --expect-generation
    os.makedirs(work, exist_ok=True)
    url = "file://" + os.path.abspath(report)
    shot = os.path.join(work, "report.png")
    p = chromium(exe, work, "shot", ["--screenshot=" + shot, "--window-size=1200,3000", "--hide-scrollbars"], url)
    if not os.path.exists(shot):
        fail("chromium wrote no screenshot (exit %d): %s" % (p.returncode, p.stderr.decode(errors="replace")[-2000:]))
    w, h, rows = decode_png(open(shot, "rb").read())
    counts = {}
    for r in rows:
        for px in r:
            counts[px] = counts.get(px, 0) + 1
    bg, nbg = max(counts.items(), key=lambda kv: kv[1])
    non_bg = w * h - nbg
    bar = sum(n for px, n in counts.items() if all(abs(px[k] - BAR[k]) <= 8 for k in range(3)))
    print("screenshot %dx%d: background %s, %d non-background pixels (%.2f%%), %d distinct colours, %d bar-coloured pixels"
          % (w, h, bg, non_bg, 100.0 * non_bg / (w * h), len(counts), bar))
    if non_bg < 0.01 * w * h:
        fail("the screenshot is blank (%d non-background pixels of %d)" % (non_bg, w * h))
    if bar < 500:
        fail("no chart bars visible in the screenshot (%d pixels of the bar colour)" % bar)

    p = chromium(exe, work, "dom", ["--dump-dom"], url)
    dom = p.stdout.decode(errors="replace")
    if "<section" not in dom:
        fail("chromium's --dump-dom gave no report sections (exit %d): %s" % (p.returncode, p.stderr.decode(errors="replace")[-2000:]))
    sp = Sections()
    sp.feed(dom)
    secs = sp.done
    figs = [s for s in secs if s["class"] == "figure"]
    models = [s for s in secs if s["class"] == "model"]
    print("rendered DOM: %d model sections, %d chart sections (%s), %d other sections"
          % (len(models), len(figs), ", ".join(s["topic"] for s in figs), len(secs) - len(models) - len(figs)))
    if not models:
        fail("no model section in the rendered report")
    if not figs:
        fail("no chart section in the rendered report")
    bad = [s["topic"] + ": %d charts" % s["svg"] for s in figs if s["svg"] != 1]
    if bad:
        fail("chart sections without exactly one <svg>: " + ", ".join(bad))
    want = {"latency", "throughput", "batch-scaling", "memory", "speedup"}
    topics = [s["topic"] for s in figs]
    for t in want:
        if topics.count(t) != len(models):
            fail("topic %s appears %d times for %d model sections" % (t, topics.count(t), len(models)))
    if sp.scripts:
        fail("the report contains %d <script> elements" % sp.scripts)
    if sp.external:
        fail("the report references external resources: %s" % sp.external[:5])
    if "--expect-generation" in sys.argv and topics.count("generation") != 1:
        fail("expected one generation figure, got %d" % topics.count("generation"))
    env = [s for s in secs if s["class"] == "env"]
    if len(env) != 1:
        fail("expected one environment section, got %d" % len(env))
    print("PASS render")


main()
