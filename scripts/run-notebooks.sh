#!/usr/bin/env bash
# Execute the notebooks headless, in order, with the project's tslab kernel; stop at the first failing notebook and show
# the failing cell's source and error.
#
#   npm run notebooks                           every notebooks/NN-*.ipynb at the profile it was committed at, reusing
#                                               the cached runs in results/; executed copies go to .scratch/notebooks/
#                                               and figures to .scratch/figures/: the committed files are not touched
#   npm run notebooks -- --profile quick        another profile (CI): results, figures and notebooks all go to .scratch/
#   npm run notebooks -- 00 03                  only notebooks whose names start with 00 / 03 (or give paths)
#   npm run notebooks -- --in-place 03          re-execute the committed notebook itself (outputs, figures/notebooks/,
#                                               figures/<profile>/); refused at a profile other than the committed one
#   options: --out-dir DIR (executed copies, default .scratch/notebooks), --timeout SECONDS (per cell, default 3600),
#            --dry-run (print what would run where, and stop)
#
# Each notebook records the profile it is committed at in its source (`startChapter({ committed: 'small' })`, copied
# into the .ipynb metadata as seqpe.profile by scripts/make-notebook.ts); Run All in Jupyter uses the same default.
# A failing notebook's partly executed copy goes next to its output as NN-name.failed.out.ipynb (git-ignored). Cells are
# never allowed to fail (no --allow-errors): tslab silently skips the cells after an error. Progress: one line per cell.
#
# Each notebook's source is notebooks/NN-name.nb.ts (see scripts/make-notebook.ts); a notebook that differs from its
# source is refused. Equivalent plain command for one notebook (without the failing-cell report and the scratch rules):
#   JUPYTER_PATH=$PWD/.jupyter/share/jupyter /usr/bin/jupyter nbconvert --to notebook --execute \
#     --ExecutePreprocessor.timeout=3600 --ExecutePreprocessor.kernel_name=tslab --output-dir .scratch/notebooks notebooks/00-setup-and-backends.ipynb
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PROFILE=""            # empty: each notebook's committed profile
TIMEOUT=3600
SCRATCH="$ROOT/.scratch"
OUT_DIR=""
IN_PLACE=0
DRY_RUN=0
SELECT=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --profile) PROFILE="${2:?--profile needs a value}"; shift 2 ;;
    --profile=*) PROFILE="${1#*=}"; shift ;;
    --timeout) TIMEOUT="${2:?--timeout needs a value}"; shift 2 ;;
    --timeout=*) TIMEOUT="${1#*=}"; shift ;;
    --out-dir) OUT_DIR="${2:?--out-dir needs a value}"; shift 2 ;;
    --out-dir=*) OUT_DIR="${1#*=}"; shift ;;
    --in-place) IN_PLACE=1; shift ;;
    --dry-run) DRY_RUN=1; shift ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    -*) echo "run-notebooks: unknown option '$1' (see --help)" >&2; exit 2 ;;
    *) SELECT+=("$1"); shift ;;
  esac
done
if [[ -n "$PROFILE" ]]; then
  case "$PROFILE" in quick|small|paper) ;; *) echo "run-notebooks: profile '$PROFILE' is not one of quick, small, paper" >&2; exit 2 ;; esac
fi
[[ "$TIMEOUT" =~ ^[1-9][0-9]*$ ]] || { echo "run-notebooks: --timeout '$TIMEOUT' is not a positive number of seconds" >&2; exit 2; }
[[ $IN_PLACE -eq 1 && -n "$OUT_DIR" ]] && { echo "run-notebooks: --in-place and --out-dir exclude each other" >&2; exit 2; }
[[ -z "$OUT_DIR" ]] && OUT_DIR="$SCRATCH/notebooks"
[[ "$OUT_DIR" = /* ]] || OUT_DIR="$ROOT/$OUT_DIR"

export JUPYTER_PATH="$ROOT/.jupyter/share/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"
export PYDEVD_DISABLE_FILE_VALIDATION=1   # silences debugpy's "frozen modules" note from Debian's ipykernel

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

# --- the plan: profile, output, results and figures folders per notebook ------------------------------------------------
committed_of() {  # the seqpe.profile metadata make-notebook copied from the source's startChapter({ committed })
  /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("metadata",{}).get("seqpe",{}).get("profile",""))' "$1"
}
PLAN=()
for nb in "${NOTEBOOKS[@]}"; do
  committed="$(committed_of "$nb")"
  [[ -n "$committed" ]] || { echo "run-notebooks: $nb records no committed profile (its source should call startChapter({ committed: '...' }); rebuild it with scripts/make-notebook.ts)" >&2; exit 1; }
  profile="${PROFILE:-$committed}"
  if [[ $IN_PLACE -eq 1 ]]; then
    if [[ "$profile" != "$committed" ]]; then
      echo "run-notebooks: --in-place would replace $nb (committed at '$committed') with outputs at '$profile'; run without --in-place (outputs go to .scratch/), or change the source's startChapter({ committed }) first" >&2
      exit 2
    fi
    out="$nb"; figures="${SEQPE_FIGURES_DIR:-}"
  else
    out="$OUT_DIR/$(basename "$nb")"; figures="${SEQPE_FIGURES_DIR:-$SCRATCH/figures}"
  fi
  # Another profile than the committed one never writes into results/ (its runs are not the chapter's).
  if [[ "$profile" != "$committed" ]]; then results="${SEQPE_RESULTS_DIR:-$SCRATCH/results}"; else results="${SEQPE_RESULTS_DIR:-}"; fi
  PLAN+=("$nb|$profile|$committed|$out|$results|$figures")
done
if [[ $DRY_RUN -eq 1 ]]; then
  for p in "${PLAN[@]}"; do
    IFS='|' read -r nb profile committed out results figures <<<"$p"
    echo "plan: $nb profile=$profile committed=$committed output=$out results=${results:-results} figures=${figures:-figures}"
  done
  exit 0
fi

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

# --- run ------------------------------------------------------------------------------------------------------------------
echo "run-notebooks: ${#NOTEBOOKS[@]} notebook(s), profile ${PROFILE:-as committed}, cell timeout ${TIMEOUT}s, outputs $([[ $IN_PLACE -eq 1 ]] && echo 'in place' || echo "${OUT_DIR#$ROOT/}/")"
SUMMARY=()
T_ALL=$SECONDS
for p in "${PLAN[@]}"; do
  IFS='|' read -r nb profile committed out results figures <<<"$p"
  r="${results:-$ROOT/results}"; f="${figures:-$ROOT/figures}"
  echo "=== $nb (profile $profile; results ${r#$ROOT/}, figures ${f#$ROOT/})"
  t0=$SECONDS
  if ! env SEQPE_PROFILE="$profile" ${results:+SEQPE_RESULTS_DIR="$results"} ${figures:+SEQPE_FIGURES_DIR="$figures"} \
      /usr/bin/python3 scripts/notebook-runner.py "$nb" --output "$out" --timeout "$TIMEOUT" --profile "$profile"; then
    echo "run-notebooks: STOPPED at $nb ($((SECONDS - t0)) s); later notebooks were not run" >&2
    exit 1
  fi
  SUMMARY+=("$(printf '%5d s  %s' $((SECONDS - t0)) "${out#$ROOT/}")")
  echo "    ok in $((SECONDS - t0)) s -> ${out#$ROOT/}"
done
echo "run-notebooks: all ${#NOTEBOOKS[@]} notebook(s) ran in $((SECONDS - T_ALL)) s"
printf '  %s\n' "${SUMMARY[@]}"
