#!/usr/bin/env bash
# One-time set-up of a machine for this project (safe to rerun: each step is skipped when already done).
#
#   npm run setup                       everything: npm packages, Chromium (PNG figures), Jupyter + the tslab kernel,
#                                       the classic Notebook with its plotly renderer (to read the chapters interactively)
#   npm run setup -- --no-chromium      without Chromium (figures are then written as HTML only)
#   npm run setup -- --no-notebooks     without Jupyter, the kernel and the Notebook (library, tests and CLI only)
#   npm run setup -- --no-notebook-ui   without the classic Notebook (headless notebooks and the course site still work)
#   npm run setup -- --no-npm           do not run `npm ci` even if node_modules is missing
#
# System packages come from Debian (bookworm) with apt-get, only when missing and only when run as root; otherwise the
# exact command to run is printed and the script fails if something the chosen options need is missing (the classic
# Notebook is optional: without it the script warns and goes on). A dpkg/apt lock held by another process (e.g.
# unattended-upgrades on a fresh machine) is waited for, up to SEQPE_APT_LOCK_TIMEOUT seconds (default 600).
#
# Everything Jupyter-side is project-local, under .jupyter/ (git-ignored): the kernel (share/jupyter/kernels/tslab), the
# plotly renderer for the classic Notebook (share/jupyter/nbextensions/seqpe-plotly) and the config that enables it
# (etc/jupyter/nbconfig/notebook.json). Nothing is written to ~ or /etc. Open the Notebook with
# `bash scripts/jupyter-notebook.sh`, which points Jupyter there and adds --allow-root when run as root.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

WANT_NPM=1 WANT_CHROMIUM=1 WANT_NOTEBOOKS=1 WANT_UI=1
for a in "$@"; do
  case "$a" in
    --no-npm) WANT_NPM=0 ;;
    --no-chromium) WANT_CHROMIUM=0 ;;
    --no-notebooks) WANT_NOTEBOOKS=0 WANT_UI=0 ;;
    --no-notebook-ui) WANT_UI=0 ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
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
UI_PKGS=(jupyter-notebook)   # Debian's classic Notebook 6.4 (JupyterLab is not packaged in bookworm)
WANTED=() OPTIONAL=()
[[ $WANT_CHROMIUM -eq 1 ]] && WANTED+=(chromium)
[[ $WANT_NOTEBOOKS -eq 1 ]] && WANTED+=("${JUPYTER_PKGS[@]}")
[[ $WANT_UI -eq 1 ]] && OPTIONAL+=("${UI_PKGS[@]}")
installed() { [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]; }
MISSING=() MISSING_OPT=()
for p in "${WANTED[@]}"; do installed "$p" || MISSING+=("$p"); done
for p in "${OPTIONAL[@]}"; do installed "$p" || MISSING_OPT+=("$p"); done
LOCK_TIMEOUT="${SEQPE_APT_LOCK_TIMEOUT:-600}"
# apt-get itself also waits for the dpkg lock (a second line of defence: another apt may grab it between our look and
# apt-get's start); -o DPkg::Lock::Timeout exists since apt 1.9.11 (bookworm has 2.6).
APT=(apt-get -o "DPkg::Lock::Timeout=$LOCK_TIMEOUT")
apt_install() {   # apt_install PKG...: install from the current lists; refresh them first only if that fails
  bash scripts/wait-dpkg-lock.sh "$LOCK_TIMEOUT"
  "${APT[@]}" install -y --no-install-recommends "$@" && return 0
  bash scripts/wait-dpkg-lock.sh "$LOCK_TIMEOUT"
  "${APT[@]}" update && "${APT[@]}" install -y --no-install-recommends "$@"
}
if [[ ${#MISSING[@]} -eq 0 && ${#MISSING_OPT[@]} -eq 0 ]]; then
  echo "installed: ${WANTED[*]:-(none requested)} ${OPTIONAL[*]:-}"
elif [[ $(id -u) -eq 0 ]]; then
  export DEBIAN_FRONTEND=noninteractive
  if [[ ${#MISSING[@]} -gt 0 ]]; then
    echo "installing: ${MISSING[*]}"
    t=$SECONDS; apt_install "${MISSING[@]}"; echo "apt-get install: $((SECONDS - t)) s"
  fi
  if [[ ${#MISSING_OPT[@]} -gt 0 ]]; then
    echo "installing (optional, to read the notebooks interactively): ${MISSING_OPT[*]}"
    t=$SECONDS
    if apt_install "${MISSING_OPT[@]}"; then echo "apt-get install: $((SECONDS - t)) s"
    else echo "setup: warning: could not install ${MISSING_OPT[*]} (see above); the notebooks still run headless" >&2; fi
  fi
else
  if [[ ${#MISSING[@]} -gt 0 ]]; then
    echo "setup: missing system packages: ${MISSING[*]}. Run (then rerun npm run setup):" >&2
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${MISSING[*]} ${MISSING_OPT[*]:-}" >&2
    [[ $WANT_CHROMIUM -eq 1 ]] && echo "  (or skip Chromium with: npm run setup -- --no-chromium; figures are then HTML only)" >&2
    [[ $WANT_NOTEBOOKS -eq 1 ]] && echo "  (or skip notebooks with: npm run setup -- --no-notebooks)" >&2
    exit 1
  fi
  echo "setup: warning: the classic Notebook is not installed (optional; to read the chapters interactively):" >&2
  echo "  sudo apt-get install -y --no-install-recommends ${MISSING_OPT[*]}   (or: npm run setup -- --no-notebook-ui)" >&2
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
  if [[ $WANT_UI -eq 1 ]]; then
    # the renderer is installed even without the Notebook package: it is two files, and a later apt-get finds it ready
    bash scripts/nbextension/install.sh
  fi
fi

step "done in $((SECONDS - T0)) s"
if [[ $WANT_NOTEBOOKS -eq 1 ]]; then
  echo "run the notebooks headless:   npm run notebooks"
  if [[ $WANT_UI -eq 1 ]] && installed jupyter-notebook; then
    echo "read them in the classic Notebook:   bash scripts/jupyter-notebook.sh"
    [[ $(id -u) -eq 0 ]] && echo "  (as root it adds --allow-root: the Notebook server refuses to start as root without it)"
  fi
fi
[[ $WANT_CHROMIUM -eq 0 ]] && echo "no Chromium: figures are written as HTML only (PNG skipped with a message)"
exit 0
