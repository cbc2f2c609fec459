#!/usr/bin/env bash
# The two host-side halves of resuming the gpu LM table across device calls and sessions:
#
#   bash scripts/gpu/bring-back.sh <folder>     merge what a device call returned (runs.tar.xz, ckpt-*.tar in <folder>,
#                                               the tool's files_at) into results/runs/: run folders (config, meta, log,
#                                               result) and the checkpoints of unfinished runs (gitignored)
#   bash scripts/gpu/bring-back.sh --resume [dest]
#                                               pack the unfinished gpu-profile runs of results/runs/ (folder files +
#                                               checkpoint) into <dest>/resume/<k>/ (default /work/main/.gpu-bundle),
#                                               one run per folder: each device call can carry one (64 MiB limit)
#
# A run already finished here is never overwritten by an unfinished copy. meta.json's commit, which the device cannot
# know (no git there), is filled in from the bundle's PROVENANCE.json, and the run's meta gets a `device` entry.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RUNS="${SEQPE_RESULTS_DIR:-$ROOT/results}/runs"
mkdir -p "$RUNS"

if [[ "${1:-}" == "--resume" ]]; then
  DEST="${2:-/work/main/.gpu-bundle}/resume"
  rm -rf "$DEST"; mkdir -p "$DEST"
  python3 - "$RUNS" "$DEST" <<'EOF'
import json, os, sys, tarfile
runs, dest = sys.argv[1:]
n = 0
for d in sorted(os.listdir(runs)):
    p = os.path.join(runs, d)
    try:
        cfg = json.load(open(os.path.join(p, "config.json")))
    except Exception:
        continue
    if cfg.get("profile") != "gpu" or os.path.exists(os.path.join(p, "result.json")) or not os.path.exists(os.path.join(p, "checkpoint.bin")):
        continue
    # one folder per run: a call's carry (with the ~36 MiB checkout) holds one 15 MB checkpoint at most
    os.makedirs(os.path.join(dest, str(n + 1)), exist_ok=True)
    with tarfile.open(os.path.join(dest, str(n + 1), f"{d}.tar"), "w") as t:
        for f in sorted(os.listdir(p)):
            if f != "lock.json" and not f.startswith("checkpoint.bin."):
                t.add(os.path.join(p, f), arcname=os.path.join(d, f))
    n += 1
    print(f"resume: {d} ({cfg['method']['label']} seed {cfg['seed']})")
print(f"{n} run(s) packed into {dest}/1 … {dest}/{n}: carry one folder per call (.gpu-bundle/resume/<k>) with the command\n"
      "  mkdir -p /tmp/seqpe-gpu/resume && cp .gpu-bundle/resume/*/*.tar /tmp/seqpe-gpu/resume/")
EOF
  du -sh "$DEST"
  exit 0
fi

SRC="${1:?usage: bring-back.sh <folder with runs.tar.xz> | --resume [dest]}"
PROV="${PROVENANCE:-/work/main/.gpu-bundle/app/PROVENANCE.json}"
python3 - "$SRC" "$RUNS" "$PROV" <<'EOF'
import glob, json, os, shutil, sys, tarfile, tempfile
src, runs, prov_file = sys.argv[1:]
prov = json.load(open(prov_file)) if os.path.exists(prov_file) else {}
tmp = tempfile.mkdtemp()
for t in sorted(glob.glob(os.path.join(src, "runs.tar.xz")) + glob.glob(os.path.join(src, "ckpt-*.tar"))):
    with tarfile.open(t) as f:
        f.extractall(tmp)
for d in sorted(os.listdir(tmp)):
    inc, here = os.path.join(tmp, d), os.path.join(runs, d)
    if os.path.exists(os.path.join(here, "result.json")) and not os.path.exists(os.path.join(inc, "result.json")):
        print(f"keep {d}: finished here, the device copy is not"); continue
    os.makedirs(here, exist_ok=True)
    for f in os.listdir(inc):
        shutil.copy2(os.path.join(inc, f), os.path.join(here, f))
    meta_f = os.path.join(here, "meta.json")
    if os.path.exists(meta_f):
        meta = json.load(open(meta_f))
        if meta.get("commit") in (None, "unknown") and prov.get("commit"):
            meta["commit"] = prov["commit"]
        meta["device"] = {"bundle": prov, "note": "trained on the GPU machine through scripts/gpu (device-run.sh lm)"}
        json.dump(meta, open(meta_f, "w"), indent=1)
    state = "finished" if os.path.exists(os.path.join(here, "result.json")) else ("checkpoint" if os.path.exists(os.path.join(here, "checkpoint.bin")) else "no checkpoint")
    print(f"merged {d}: {state}")
shutil.rmtree(tmp)
EOF
