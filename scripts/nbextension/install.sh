#!/usr/bin/env bash
# Install and enable the plotly renderer for the classic Notebook INSIDE the project (.jupyter/, git-ignored).
#
#   bash scripts/nbextension/install.sh [--check]     (--check: only verify, exit 1 if not installed and enabled)
#
# Debian's classic Notebook 6.4 draws no `application/vnd.plotly.v1+json` output (JupyterLab gets its renderer from the
# plotly Python package; the Notebook's old renderer came with plotly's own nbextension, not packaged by Debian). The
# chapters send every figure as plotly JSON + PNG, so without a renderer the Notebook shows only the PNG.
#
# What goes where (the Notebook server reads both through the environment scripts/jupyter-notebook.sh sets):
#   .jupyter/share/jupyter/nbextensions/seqpe-plotly/main.js        the renderer (scripts/nbextension/seqpe-plotly/)
#   .jupyter/share/jupyter/nbextensions/seqpe-plotly/plotly.min.js  node_modules/plotly.js-dist-min, copied: works offline
#       → found through JUPYTER_PATH=$ROOT/.jupyter/share/jupyter (the server serves /nbextensions/ from jupyter_path())
#   .jupyter/etc/jupyter/nbconfig/notebook.json                     {"load_extensions": {"seqpe-plotly/main": true}}
#       → found through JUPYTER_CONFIG_PATH=$ROOT/.jupyter/etc/jupyter (an extra config dir: the user's ~/.jupyter
#         still applies, unlike overriding JUPYTER_CONFIG_DIR). `jupyter nbextension enable` can only write to the
#         user, sys-prefix or system config, so we write this one key ourselves, keeping any other keys in the file.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SRC="$ROOT/scripts/nbextension/seqpe-plotly"
PLOTLY="$ROOT/node_modules/plotly.js-dist-min/plotly.min.js"
DEST="$ROOT/.jupyter/share/jupyter/nbextensions/seqpe-plotly"
NBCONFIG="$ROOT/.jupyter/etc/jupyter/nbconfig/notebook.json"
PY=/usr/bin/python3
KEY=seqpe-plotly/main

enabled() {
  [[ -f "$NBCONFIG" ]] && "$PY" -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1])).get("load_extensions", {}).get(sys.argv[2]) is True else 1)' "$NBCONFIG" "$KEY"
}
current() {   # the installed files equal the sources
  cmp -s "$SRC/main.js" "$DEST/main.js" && cmp -s "$PLOTLY" "$DEST/plotly.min.js"
}

if [[ "${1:-}" == "--check" ]]; then
  if current && enabled; then echo "nbextension: $KEY installed in $DEST and enabled in $NBCONFIG"; exit 0; fi
  echo "nbextension: $KEY is not installed or not enabled in $ROOT/.jupyter (run: bash scripts/nbextension/install.sh)" >&2
  exit 1
fi
[[ -f "$PLOTLY" ]] || { echo "nbextension: $PLOTLY not found: run 'npm ci' in $ROOT first." >&2; exit 1; }
[[ -x "$PY" ]] || { echo "nbextension: $PY not found (Debian's python3, which the Jupyter packages use)." >&2; exit 1; }

mkdir -p "$DEST" "$(dirname "$NBCONFIG")"
cp "$SRC/main.js" "$DEST/main.js"
cp "$PLOTLY" "$DEST/plotly.min.js"
"$PY" - "$NBCONFIG" "$KEY" <<'PYEOF'
import json, os, sys
path, key = sys.argv[1], sys.argv[2]
cfg = {}
if os.path.exists(path):
    with open(path) as f:
        text = f.read()
    try:
        cfg = json.loads(text) if text.strip() else {}
    except ValueError as e:
        sys.exit(f"nbextension: {path} is not valid JSON ({e}); fix or delete it, then rerun")
    if not isinstance(cfg, dict):
        sys.exit(f"nbextension: {path} holds {type(cfg).__name__}, expected a JSON object; fix or delete it, then rerun")
cfg.setdefault("load_extensions", {})[key] = True
tmp = path + ".tmp"
with open(tmp, "w") as f:
    json.dump(cfg, f, indent=2, sort_keys=True)
    f.write("\n")
os.replace(tmp, path)
PYEOF
current && enabled || { echo "nbextension: installing $KEY into $ROOT/.jupyter did not stick" >&2; exit 1; }
echo "nbextension: $KEY installed in $DEST (plotly.js $(node -p "require('$ROOT/node_modules/plotly.js-dist-min/package.json').version" 2>/dev/null || echo '?')) and enabled in $NBCONFIG"
