#!/bin/sh
# The GEMM unit test (tests/unit/test_nn_gemm.c) built for AArch64 with Debian's cross compiler and
# run under user-mode emulation (qemu-aarch64), so the NEON kernel set is held to the portable one
# and to float64 on every shape and path, on a machine without an Arm CPU. Emulation checks
# results, not speed. The cross compiler and qemu come from scripts/bootstrap.sh.
# Usage: tests/cross/gemm_neon.sh [WORK_DIR]
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-$(mktemp -d)}
mkdir -p "$work"
cc=aarch64-linux-gnu-gcc
for tool in $cc qemu-aarch64; do
    command -v $tool >/dev/null || { echo "gemm_neon: $tool is missing (scripts/bootstrap.sh installs it)" >&2; exit 1; }
done
cd "$root"
$cc -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wno-unused-parameter -Wstrict-prototypes -Werror \
    -fno-strict-aliasing -Iinclude -Isrc -static -o "$work/test_nn_gemm_aarch64" tests/unit/test_nn_gemm.c \
    src/ops/nn/gemm_f32.c src/ops/nn/gemm_kernels_*.c src/core/threadpool.c src/core/alloc.c src/core/status.c \
    -lpthread -lm
status=0
out=$(qemu-aarch64 "$work/test_nn_gemm_aarch64") || status=$?
printf '%s\n' "$out" | tail -3
printf '%s\n' "$out" | grep -q "kernel set available: neon" || { echo "gemm_neon: the NEON kernel set did not run" >&2; exit 1; }
exit $status
