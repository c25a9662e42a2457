#!/usr/bin/env bash
# The GPU check of issue 4, for a machine with an NVIDIA GPU and CUDA's nvcc:
# records nvidia-smi's real output and what the platform's detection makes of it,
# builds test/fixtures/gpu/cuda_vector_add with nvcc, runs it bare, then through
# `aionctl modules run` — the platform's subprocess executor: detection,
# placement (CUDA_VISIBLE_DEVICES and the /dev/nvidia* binds), the bubblewrap
# sandbox as an unprivileged user, cgroups, rlimits. Where that sandbox cannot be
# set up on the machine the run is refused; the script then also runs it with
# the development override (AION_SANDBOX_ALLOW_UNSANDBOXED), which still places
# the GPU, and says so.
#
#   scripts/gpu-check.sh [output-dir]      (from the repository root)
#
# Where this process's own cgroup cannot hand memory and pids to children, set
# AION_SANDBOX_CGROUP_ROOT to a cgroup that can (as root on cgroup v2:
# `mkdir /sys/fs/cgroup/aion` with memory and pids in the root's
# cgroup.subtree_control, then AION_SANDBOX_CGROUP_ROOT=/aion).
#
# A machine without Node.js or node_modules can be given them in an ignored
# .gpu/ folder, which the first lines below unpack: node.xz (the node binary),
# node_modules.tar.xz (`npm ci --omit=dev`) and, where the machine lacks
# bubblewrap, bwrap.
set -uo pipefail
out=${1:-${OUT:-$(mktemp -d)}}
mkdir -p "$out"
section() { printf '\n== %s\n' "$*"; }
export PATH="$PATH:/usr/local/cuda/bin"

if ! command -v node >/dev/null && [ -f .gpu/node.xz ]; then
  mkdir -p /tmp/gpu-check/bin
  xz -dc .gpu/node.xz >/tmp/gpu-check/bin/node && chmod 0755 /tmp/gpu-check/bin/node
  export PATH="/tmp/gpu-check/bin:$PATH"
fi
if [ ! -d node_modules ] && [ -f .gpu/node_modules.tar.xz ]; then tar -xJf .gpu/node_modules.tar.xz; fi
if ! command -v bwrap >/dev/null && [ -f .gpu/bwrap ]; then install -m 0755 .gpu/bwrap /usr/local/bin/bwrap; fi

section "machine"
uname -srm
node --version
command -v bwrap prlimit nvcc nvidia-smi
ldd "$(command -v bwrap)" | grep -i "not found" || echo "bwrap: libraries found"
cat /proc/self/cgroup; stat -fc %T /sys/fs/cgroup
section "nvidia-smi (the query the platform runs)"
nvidia-smi --query-gpu=index,uuid,name,memory.total,memory.used,utilization.gpu \
  --format=csv,noheader,nounits | tee "$out/nvidia-smi.csv"
ls -l /dev/nvidia* 2>&1 | tee "$out/dev-nvidia.txt"
section "what the platform detects"
node --import tsx -e "
const { detectGpus } = await import('./src/runtime/gpu/gpu-detect.ts')
console.log(JSON.stringify(await detectGpus(), null, 1))
" 2>&1 | tee "$out/detected.json"
section "nvcc"
nvcc --version | tail -n 2
pkg=test/fixtures/gpu/cuda_vector_add
nvcc -O2 -o "$pkg/vector_add" "$pkg/vector_add.cu" || exit 1
section "bare run"
echo '{"n": 1048576}' | "$pkg/vector_add"
echo '{"n": 1048576}' >/tmp/gpu-check-input.json
section "aionctl modules run (sandboxed)"
node bin/aionctl.js modules run "$pkg" --input /tmp/gpu-check-input.json 2>&1 | tee "$out/run-sandboxed.txt"
sandboxed=${PIPESTATUS[0]}
echo "exit $sandboxed"
if [ "$sandboxed" -ne 0 ]; then
  section "aionctl modules run (development override: no sandbox, GPU still placed)"
  AION_SANDBOX_ALLOW_UNSANDBOXED=true node bin/aionctl.js modules run "$pkg" \
    --input /tmp/gpu-check-input.json 2>&1 | tee "$out/run-unsandboxed.txt"
  echo "exit ${PIPESTATUS[0]}"
fi
exit "$sandboxed"
