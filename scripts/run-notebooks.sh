#!/usr/bin/env bash
# Execute the notebooks headless, in order, with the project's tslab kernel; stop at the first failing notebook and show
# the failing cell's source and error.
#
#   npm run notebooks                                  every notebooks/NN-*.ipynb, profile quick
#   npm run notebooks -- --profile small               profile passed to the notebooks as SEQPE_PROFILE
#   npm run notebooks -- 00 03                         only notebooks whose names start with 00 / 03 (or give paths)
#   npm run notebooks -- --out-dir notebooks/executed  write executed copies there instead of in place
#   options: --timeout SECONDS (per cell, default 3600)
#
# Outputs are written IN PLACE by default: the committed notebooks then show their tables and figures (PNG) on GitHub
# and nbviewer. A failing notebook is left untouched; its partly executed copy goes to NN-name.failed.out.ipynb
# (git-ignored). Cells are never allowed to fail (no --allow-errors): tslab silently skips the cells after an error.
#
# Each notebook's source is notebooks/NN-name.nb.ts (see scripts/make-notebook.ts); a notebook that differs from its
# source is refused. Equivalent plain command for one notebook (without the failing-cell report):
#   JUPYTER_PATH=$PWD/.jupyter/share/jupyter SEQPE_PROFILE=quick /usr/bin/jupyter nbconvert --to notebook --execute \
#     --ExecutePreprocessor.timeout=3600 --ExecutePreprocessor.kernel_name=tslab --inplace notebooks/00-setup-and-backends.ipynb
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PROFILE="${SEQPE_PROFILE:-quick}"
TIMEOUT=3600
OUT_DIR=""
SELECT=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --profile) PROFILE="${2:?--profile needs a value}"; shift 2 ;;
    --profile=*) PROFILE="${1#*=}"; shift ;;
    --timeout) TIMEOUT="${2:?--timeout needs a value}"; shift 2 ;;
    --timeout=*) TIMEOUT="${1#*=}"; shift ;;
    --out-dir) OUT_DIR="${2:?--out-dir needs a value}"; shift 2 ;;
    --out-dir=*) OUT_DIR="${1#*=}"; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    -*) echo "run-notebooks: unknown option '$1' (see --help)" >&2; exit 2 ;;
    *) SELECT+=("$1"); shift ;;
  esac
done
case "$PROFILE" in quick|small|paper) ;; *) echo "run-notebooks: profile '$PROFILE' is not one of quick, small, paper" >&2; exit 2 ;; esac
[[ "$TIMEOUT" =~ ^[1-9][0-9]*$ ]] || { echo "run-notebooks: --timeout '$TIMEOUT' is not a positive number of seconds" >&2; exit 2; }

export SEQPE_PROFILE="$PROFILE"
export JUPYTER_PATH="$ROOT/.jupyter/share/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"
export PYDEVD_DISABLE_FILE_VALIDATION=1   # silences debugpy's "frozen modules" note from Debian's ipykernel

# --- prerequisites -----------------------------------------------------------------------------------------------------
if ! /usr/bin/python3 -c 'import nbclient, nbformat, jupyter_client' 2>/dev/null; then
  echo "run-notebooks: Debian's Jupyter packages are missing. Install them (or run: npm run setup):" >&2
  echo "  sudo apt-get install -y --no-install-recommends jupyter-nbconvert python3-nbclient jupyter-client jupyter-core python3-ipykernel" >&2
  exit 1
fi
if ! bash scripts/setup-kernel.sh --check >/dev/null 2>&1; then
  echo "run-notebooks: registering the tslab kernel first"
  bash scripts/setup-kernel.sh
fi
if [[ ! -L notebooks/src ]]; then
  echo "run-notebooks: notebooks/src (link to ../src, how notebooks import the library) is missing; creating it"
  ln -s ../src notebooks/src
fi
if [[ ! -x /usr/bin/chromium && -z "${CHROMIUM_PATH:-}" ]]; then
  echo "run-notebooks: warning: Chromium not found, figures will have no PNG. Install: sudo apt-get install -y --no-install-recommends chromium" >&2
fi
if compgen -G "notebooks/*.nb.ts" >/dev/null; then
  node_modules/.bin/tsx scripts/make-notebook.ts --check || {
    echo "run-notebooks: a notebook is out of date with its .nb.ts source (see above)" >&2; exit 1; }
fi

# --- which notebooks -----------------------------------------------------------------------------------------------------
NOTEBOOKS=()
if [[ ${#SELECT[@]} -eq 0 ]]; then
  for f in notebooks/[0-9][0-9]-*.ipynb; do
    [[ -e "$f" && "$f" != *.out.ipynb ]] && NOTEBOOKS+=("$f")
  done
else
  for s in "${SELECT[@]}"; do
    if [[ -f "$s" ]]; then NOTEBOOKS+=("$s"); continue; fi
    found=0
    for f in notebooks/"$s"*.ipynb; do
      [[ -e "$f" && "$f" != *.out.ipynb ]] && { NOTEBOOKS+=("$f"); found=1; }
    done
    [[ $found -eq 1 ]] || { echo "run-notebooks: no notebook matches '$s' (give a path or a name prefix such as 00)" >&2; exit 2; }
  done
fi
[[ ${#NOTEBOOKS[@]} -gt 0 ]] || { echo "run-notebooks: no notebooks/NN-*.ipynb found" >&2; exit 1; }

# --- run ------------------------------------------------------------------------------------------------------------------
echo "run-notebooks: profile=$PROFILE, ${#NOTEBOOKS[@]} notebook(s), cell timeout ${TIMEOUT}s, outputs ${OUT_DIR:-in place}"
SUMMARY=()
T_ALL=$SECONDS
for nb in "${NOTEBOOKS[@]}"; do
  out="$nb"
  [[ -n "$OUT_DIR" ]] && out="$OUT_DIR/$(basename "$nb")"
  echo "=== $nb"
  t0=$SECONDS
  if ! /usr/bin/python3 scripts/notebook-runner.py "$nb" --output "$out" --timeout "$TIMEOUT" --profile "$PROFILE"; then
    echo "run-notebooks: STOPPED at $nb ($((SECONDS - t0)) s); later notebooks were not run" >&2
    exit 1
  fi
  SUMMARY+=("$(printf '%5d s  %s' $((SECONDS - t0)) "$out")")
  echo "    ok in $((SECONDS - t0)) s -> $out"
done
echo "run-notebooks: all ${#NOTEBOOKS[@]} notebook(s) ran in $((SECONDS - T_ALL)) s"
printf '  %s\n' "${SUMMARY[@]}"
