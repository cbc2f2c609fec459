#!/usr/bin/env bash
# Register the tslab (TypeScript) Jupyter kernel INSIDE the project: .jupyter/share/jupyter/kernels/tslab, and only it.
#
# We write the kernel spec that `tslab install` would write (tslab 1.0.22, python/install.py: argv
# [tslab, kernel, --config-path, {connection_file}], display name "TypeScript") and install it with Debian's
# `jupyter kernelspec install`, instead of running `tslab install`, because:
#  - `tslab install` always registers a second kernel, `jslab` (JavaScript), that no notebook here uses and that only
#    clutters the kernel menu; an earlier set-up may have registered it, so it is removed here.
#  - its default `--python` is the `python3` on PATH, which may be another interpreter (pyenv) without jupyter_client:
#    it then prints a note, exits 0 and registers nothing where Debian's /usr/bin/jupyter looks.
#  - argv[0] must be this project's tslab by absolute path, whatever the caller's PATH.
#  - --prefix=$ROOT/.jupyter: no writes to ~/.local or /usr; .jupyter/ is git-ignored and machine-specific
#    (kernel.json holds an absolute path), so rerun this script after moving or cloning the project.
# Jupyter finds the kernel through JUPYTER_PATH=$ROOT/.jupyter/share/jupyter (scripts/run-notebooks.sh and
# scripts/jupyter-notebook.sh set it). Nothing here needs root, and running as root is fine (no --allow-root needed:
# only the Notebook server refuses root).
#
# Usage: bash scripts/setup-kernel.sh [--check]     (--check: only verify, exit 1 if not registered)
set -euo pipefail
export PYDEVD_DISABLE_FILE_VALIDATION=1   # silences a debugpy note that Debian's jupyter prints
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY=/usr/bin/python3
JUPYTER=/usr/bin/jupyter
TSLAB="$ROOT/node_modules/.bin/tslab"
PREFIX="$ROOT/.jupyter"
export JUPYTER_PATH="$PREFIX/share/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"

KERNELS="$PREFIX/share/jupyter/kernels"
registered() {
  "$JUPYTER" kernelspec list 2>/dev/null | awk '{print $1}' | grep -qx tslab
}

if [[ ! -x "$JUPYTER" ]] || ! "$PY" -c 'import jupyter_client, nbclient' 2>/dev/null; then
  echo "setup-kernel: Debian's Jupyter is missing ($JUPYTER, or jupyter_client/nbclient for $PY). Install it with:" >&2
  echo "  sudo apt-get install -y --no-install-recommends jupyter-nbconvert python3-nbclient jupyter-client jupyter-core python3-ipykernel" >&2
  exit 1
fi
if [[ ! -x "$TSLAB" ]]; then
  echo "setup-kernel: $TSLAB not found: run 'npm ci' in $ROOT first." >&2
  exit 1
fi

if [[ "${1:-}" == "--check" ]]; then
  if [[ -d "$KERNELS/jslab" ]]; then
    echo "setup-kernel: an earlier set-up also registered the unused jslab kernel in $KERNELS (run: npm run kernel)" >&2
    exit 1
  fi
  if registered; then echo "setup-kernel: tslab kernel is registered in $PREFIX"; exit 0; fi
  echo "setup-kernel: tslab kernel is NOT registered in $PREFIX (run: npm run kernel)" >&2
  exit 1
fi

SPEC="$(mktemp -d)"
trap 'rm -rf "$SPEC"' EXIT
"$PY" - "$TSLAB" "$SPEC/kernel.json" <<'PYEOF'
import json, sys
tslab, out = sys.argv[1], sys.argv[2]
spec = {"argv": [tslab, "kernel", "--config-path", "{connection_file}"], "display_name": "TypeScript", "language": "typescript"}
with open(out, "w") as f:
    json.dump(spec, f, sort_keys=True)
PYEOF
"$JUPYTER" kernelspec install --prefix="$PREFIX" --name=tslab "$SPEC" >/dev/null
if [[ -d "$KERNELS/jslab" ]]; then
  rm -rf "$KERNELS/jslab"
  echo "setup-kernel: removed the jslab (JavaScript) kernel an earlier set-up registered in $KERNELS"
fi

if ! registered; then
  echo "setup-kernel: 'tslab install' ran but '$JUPYTER kernelspec list' (JUPYTER_PATH=$JUPYTER_PATH) does not list tslab." >&2
  "$JUPYTER" kernelspec list >&2 || true
  exit 1
fi
KJSON="$KERNELS/tslab/kernel.json"
if ! grep -q "$TSLAB" "$KJSON"; then
  echo "setup-kernel: $KJSON does not start $TSLAB:" >&2; cat "$KJSON" >&2; exit 1
fi
echo "setup-kernel: tslab kernel registered: $KJSON"
"$JUPYTER" kernelspec list
