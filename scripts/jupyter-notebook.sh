#!/usr/bin/env bash
# Open the chapters in Debian's classic Notebook with this project's kernel and plotly renderer (both in .jupyter/).
#
#   bash scripts/jupyter-notebook.sh [JUPYTER NOTEBOOK OPTIONS…]     e.g. --no-browser --port=8890 (default folder: notebooks/)
#
# The same as running, from the project root:
#   JUPYTER_PATH=$PWD/.jupyter/share/jupyter JUPYTER_CONFIG_PATH=$PWD/.jupyter/etc/jupyter \
#     jupyter notebook --notebook-dir=notebooks [--allow-root]
# --allow-root is added when run as root (containers, CI, cloud VMs): the Notebook server refuses to start as root
# without it. It changes nothing else; serving notebooks as root lets anyone with the login token run code as root,
# so keep the default local address (127.0.0.1) and token there.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export JUPYTER_PATH="$ROOT/.jupyter/share/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"
export JUPYTER_CONFIG_PATH="$ROOT/.jupyter/etc/jupyter${JUPYTER_CONFIG_PATH:+:$JUPYTER_CONFIG_PATH}"
export PYDEVD_DISABLE_FILE_VALIDATION=1   # silences debugpy's "frozen modules" note from Debian's ipykernel

if ! /usr/bin/python3 -c 'import notebook' 2>/dev/null; then
  echo "jupyter-notebook: Debian's classic Notebook is not installed. Install it with (or rerun npm run setup as root):" >&2
  echo "  sudo apt-get install -y --no-install-recommends jupyter-notebook" >&2
  exit 1
fi
bash "$ROOT/scripts/setup-kernel.sh" --check >/dev/null 2>&1 || bash "$ROOT/scripts/setup-kernel.sh" >/dev/null
bash "$ROOT/scripts/nbextension/install.sh" --check >/dev/null 2>&1 || bash "$ROOT/scripts/nbextension/install.sh"

ARGS=()
# open the chapters' folder unless the caller names another (traitlets refuses two --notebook-dir values)
[[ " $* " == *" --notebook-dir"* || " $* " == *" --NotebookApp.notebook_dir"* ]] || ARGS+=(--notebook-dir="$ROOT/notebooks")
if [[ $(id -u) -eq 0 ]]; then
  echo "jupyter-notebook: running as root, so adding --allow-root (the Notebook refuses root without it)"
  ARGS+=(--allow-root)
fi
echo "jupyter-notebook: kernel 'TypeScript' (tslab) and the plotly renderer from $ROOT/.jupyter"
exec /usr/bin/jupyter notebook "${ARGS[@]}" "$@"
