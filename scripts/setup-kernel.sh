#!/usr/bin/env bash
# Register the tslab (TypeScript) Jupyter kernel INSIDE the project: .jupyter/share/jupyter/kernels/tslab.
#
# Why these flags:
#  - --python=/usr/bin/python3: `python3` on PATH may be another interpreter (pyenv on the project's machines) without
#    jupyter_client; tslab then "installs" into that interpreter's world and nothing is registered where Debian's
#    /usr/bin/jupyter looks. Debian's jupyter packages live in /usr/bin/python3.
#  - --binary=<absolute path>: kernel.json must start this project's tslab 1.0.22 whatever the caller's PATH.
#  - --prefix=$ROOT/.jupyter: no writes to ~/.local or /usr; .jupyter/ is git-ignored and machine-specific
#    (kernel.json holds an absolute path), so rerun this script after moving or cloning the project.
# Jupyter finds the kernel through JUPYTER_PATH=$ROOT/.jupyter/share/jupyter (scripts/run-notebooks.sh sets it).
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
  if registered; then echo "setup-kernel: tslab kernel is registered in $PREFIX"; exit 0; fi
  echo "setup-kernel: tslab kernel is NOT registered in $PREFIX (run: npm run kernel)" >&2
  exit 1
fi

"$TSLAB" install --python="$PY" --binary="$TSLAB" --prefix="$PREFIX"

if ! registered; then
  echo "setup-kernel: 'tslab install' ran but '$JUPYTER kernelspec list' (JUPYTER_PATH=$JUPYTER_PATH) does not list tslab." >&2
  "$JUPYTER" kernelspec list >&2 || true
  exit 1
fi
KJSON="$PREFIX/share/jupyter/kernels/tslab/kernel.json"
if ! grep -q "$TSLAB" "$KJSON"; then
  echo "setup-kernel: $KJSON does not start $TSLAB:" >&2; cat "$KJSON" >&2; exit 1
fi
echo "setup-kernel: tslab kernel registered: $KJSON"
"$JUPYTER" kernelspec list
