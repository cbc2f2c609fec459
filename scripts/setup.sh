#!/usr/bin/env bash
# One-time set-up of a machine for this project (safe to rerun: each step is skipped when already done).
#
#   npm run setup                       everything: npm packages, Chromium (PNG figures), Jupyter + the tslab kernel
#   npm run setup -- --no-chromium      without Chromium (figures are then written as HTML only)
#   npm run setup -- --no-notebooks     without Jupyter and the kernel (library, tests and CLI only)
#   npm run setup -- --no-npm           do not run `npm ci` even if node_modules is missing
#
# System packages come from Debian (bookworm) with apt-get, only when missing and only when run as root; otherwise the
# exact command to run is printed and the script fails if something the chosen options need is missing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

WANT_NPM=1 WANT_CHROMIUM=1 WANT_NOTEBOOKS=1
for a in "$@"; do
  case "$a" in
    --no-npm) WANT_NPM=0 ;;
    --no-chromium) WANT_CHROMIUM=0 ;;
    --no-notebooks) WANT_NOTEBOOKS=0 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "setup: unknown option '$a' (see --help)" >&2; exit 2 ;;
  esac
done

step() { printf '\n== %s\n' "$*"; }
T0=$SECONDS

# --- 1. npm packages ---------------------------------------------------------------------------------------------------
step "npm packages"
if [[ -d node_modules/@tensorflow/tfjs && -x node_modules/.bin/tslab && -d node_modules/plotly.js-dist-min ]]; then
  echo "node_modules present (skip; run 'npm ci' yourself to reinstall)"
elif [[ $WANT_NPM -eq 1 ]]; then
  t=$SECONDS; npm ci; echo "npm ci: $((SECONDS - t)) s"
else
  echo "setup: node_modules is missing or incomplete and --no-npm was given; run: npm ci" >&2; exit 1
fi

# --- 2. system packages ------------------------------------------------------------------------------------------------
step "system packages (Debian)"
JUPYTER_PKGS=(jupyter-nbconvert python3-nbclient jupyter-client jupyter-core python3-ipykernel)
WANTED=()
[[ $WANT_CHROMIUM -eq 1 ]] && WANTED+=(chromium)
[[ $WANT_NOTEBOOKS -eq 1 ]] && WANTED+=("${JUPYTER_PKGS[@]}")
installed() { [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]; }
MISSING=()
for p in "${WANTED[@]}"; do installed "$p" || MISSING+=("$p"); done
if [[ ${#MISSING[@]} -eq 0 ]]; then
  echo "installed: ${WANTED[*]:-(none requested)}"
elif [[ $(id -u) -eq 0 ]]; then
  echo "installing: ${MISSING[*]}"
  t=$SECONDS
  export DEBIAN_FRONTEND=noninteractive
  # refresh the package lists first only if an install from the current lists fails (saves ~10 s when they are fresh)
  if ! apt-get install -y --no-install-recommends "${MISSING[@]}"; then
    apt-get update
    apt-get install -y --no-install-recommends "${MISSING[@]}"
  fi
  echo "apt-get install: $((SECONDS - t)) s"
else
  echo "setup: missing system packages: ${MISSING[*]}. Run (then rerun npm run setup):" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${MISSING[*]}" >&2
  [[ $WANT_CHROMIUM -eq 1 ]] && echo "  (or skip Chromium with: npm run setup -- --no-chromium; figures are then HTML only)" >&2
  [[ $WANT_NOTEBOOKS -eq 1 ]] && echo "  (or skip notebooks with: npm run setup -- --no-notebooks)" >&2
  exit 1
fi
if [[ $WANT_CHROMIUM -eq 1 ]]; then
  /usr/bin/chromium --version 2>/dev/null | head -1 || { echo "setup: /usr/bin/chromium does not run" >&2; exit 1; }
fi

# --- 3. notebooks: library link and kernel ------------------------------------------------------------------------------
if [[ $WANT_NOTEBOOKS -eq 1 ]]; then
  step "notebooks"
  # tslab only compiles files below the notebook's folder, so notebooks reach the library through this link.
  if [[ -L notebooks/src ]]; then
    echo "notebooks/src -> $(readlink notebooks/src)"
  else
    mkdir -p notebooks && ln -s ../src notebooks/src && echo "created notebooks/src -> ../src"
  fi
  export PYDEVD_DISABLE_FILE_VALIDATION=1
  bash scripts/setup-kernel.sh
fi

step "done in $((SECONDS - T0)) s"
[[ $WANT_NOTEBOOKS -eq 1 ]] && echo "run the notebooks:   npm run notebooks -- --profile quick"
[[ $WANT_CHROMIUM -eq 0 ]] && echo "no Chromium: figures are written as HTML only (PNG skipped with a message)"
exit 0
