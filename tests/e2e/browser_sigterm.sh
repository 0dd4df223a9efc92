#!/usr/bin/env bash
# A browser must not outlive the command that launched it: `run --device wasm` is ended with
# SIGTERM while its headless Chromium runs, and the browser's whole process group must be gone
# within a few seconds. usage: browser_sigterm.sh IPFS_ACCELERATE_BIN FIXTURE_DIR
set -u
BIN=$1
MODEL=$2/model.onnx
"$BIN" run "$MODEL" --device wasm --input-dir "$2/test_data_set_0" --warmup 0 --repeat 100000000 >/dev/null 2>&1 &
PID=$!
BROWSER=""
GROUP=""
for _ in $(seq 1 600); do # up to 60 s for the browser to start (children named sh only ask its version)
  BROWSER=$(ps -o pid=,comm= --ppid "$PID" 2>/dev/null | awk '$2 != "sh" {print $1; exit}')
  [ -n "$BROWSER" ] && GROUP=$(ps -o pgid= -p "$BROWSER" 2>/dev/null | tr -d ' ')
  [ -n "$GROUP" ] && [ "$GROUP" = "$BROWSER" ] && break
  sleep 0.1
done
if [ -z "$GROUP" ]; then echo "FAIL: no browser started under pid $PID"; kill -KILL "$PID" 2>/dev/null; exit 1; fi
sleep 2 # let it open its page and renderers
echo "run pid $PID, browser pid $BROWSER, browser process group $GROUP: $(pgrep -g "$GROUP" | wc -l) processes"
if ! kill -0 "$PID" 2>/dev/null; then echo "FAIL: the run ended before it was signalled"; kill -KILL -- "-$GROUP" 2>/dev/null; exit 1; fi
kill -TERM "$PID"
wait "$PID"
STATUS=$?
echo "run ended with status $STATUS"
for _ in $(seq 1 50); do
  [ -z "$(pgrep -g "$GROUP")" ] && { echo "PASSED: no process of the browser's group is left"; exit 0; }
  sleep 0.1
done
echo "FAIL: browser processes still running after SIGTERM of the run: $(pgrep -g "$GROUP" | tr '\n' ' ')"
kill -KILL -- "-$GROUP" 2>/dev/null
exit 1
