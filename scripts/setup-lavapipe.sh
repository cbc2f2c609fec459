#!/usr/bin/env bash
# A software Vulkan adapter (Mesa's lavapipe) for the WebGPU engine's tests, installed project-locally, without root and
# without touching the system's apt configuration (engine-notes §6: Debian 12's own Mesa 22 lavapipe is rejected by
# Dawn; Mesa 25 from bookworm-backports works).
#
#   bash scripts/setup-lavapipe.sh          fetch + unpack into .cache/lavapipe/ (skipped when already there)
#   bash scripts/setup-lavapipe.sh --env    print the environment lines that point Dawn at it (eval "$(… --env)")
#
# What it does: a private apt state (sources = bookworm + bookworm-backports, lists and cache under .cache/lavapipe/apt)
# downloads the .debs of mesa-vulkan-drivers (lavapipe), its libdrm/LLVM/… dependencies that the system lacks, and the
# Vulkan loader libvulkan1; `dpkg -x` unpacks them into .cache/lavapipe/root; an ICD json with the absolute library
# path is written to .cache/lavapipe/lvp_icd.json. src/backend.ts finds that file by itself (SEQPE_VK_ICD overrides),
# so tests need no environment set-up. Idempotent; fails with a clear message when the packages cannot be fetched.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/.cache/lavapipe"
ICD="$DEST/lvp_icd.json"
LIBDIR="$DEST/root/usr/lib/x86_64-linux-gnu"

print_env() {
  echo "export VK_DRIVER_FILES='$ICD'"
  echo "export VK_ICD_FILENAMES='$ICD'"
  echo "export LD_LIBRARY_PATH='$LIBDIR'\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
}
if [[ "${1:-}" == "--env" ]]; then print_env; exit 0; fi
if [[ $# -gt 0 ]]; then echo "setup-lavapipe: unknown option '$1' (expected --env or nothing)" >&2; exit 2; fi

if [[ -f "$ICD" && -f "$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["ICD"]["library_path"])' "$ICD")" ]]; then
  echo "lavapipe present: $ICD (skip)"
  exit 0
fi
if [[ "$(uname -m)" != "x86_64" ]]; then
  echo "setup-lavapipe: only x86_64 (amd64) is supported, this machine is $(uname -m)" >&2; exit 1
fi
command -v apt-get >/dev/null && command -v dpkg >/dev/null || {
  echo "setup-lavapipe: needs apt-get and dpkg (Debian 12); the WebGPU tests will be skipped without an adapter" >&2; exit 1; }

APT="$DEST/apt"
mkdir -p "$APT/sources" "$APT/lists/partial" "$APT/cache/archives/partial" "$DEST/debs"
cat > "$APT/sources/bp.sources" <<'EOF'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
OPTS=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$APT/sources" -o "Dir::State::Lists=$APT/lists"
      -o "Dir::Cache=$APT/cache" -o Debug::NoLocking=1 -o APT::Sandbox::User="$(id -un)")
echo "== apt-get update (bookworm + bookworm-backports, private lists)"
if ! apt-get "${OPTS[@]}" update >"$APT/update.log" 2>&1; then
  cat "$APT/update.log" >&2
  echo "setup-lavapipe: could not fetch the bookworm-backports package lists (network or mirror down); see above" >&2
  exit 1
fi

# lavapipe and the libdrm it needs (>= 2.4.121) come from backports; every other dependency from bookworm, and only the
# ones this system lacks (walked recursively: a clean CI machine may lack LLVM 15 and the X/wayland client libs).
BACKPORTS=(mesa-vulkan-drivers libdrm2 libdrm-amdgpu1)
installed() { [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]; }
declare -A SEEN=()
QUEUE=(mesa-vulkan-drivers)
for p in "${BACKPORTS[@]}"; do SEEN[$p]=1; done
PKGS=()
while [[ ${#QUEUE[@]} -gt 0 ]]; do
  q=${QUEUE[0]}; QUEUE=("${QUEUE[@]:1}")
  target=$q; [[ " ${BACKPORTS[*]} " == *" $q "* ]] && target="$q/bookworm-backports"
  while read -r d; do
    [[ -n "$d" && -z "${SEEN[$d]:-}" ]] || continue
    SEEN[$d]=1
    installed "$d" && continue
    PKGS+=("$d"); QUEUE+=("$d")
  done < <(apt-cache "${OPTS[@]}" depends --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces \
             --no-enhances "$target" 2>/dev/null | sed -n 's/^ *|\{0,1\}Depends: \([^<][^ ]*\)$/\1/p' | sed 's/:any$//')
done
for p in "${BACKPORTS[@]}"; do PKGS+=("$p/bookworm-backports"); done
echo "== apt-get download: ${PKGS[*]}"
cd "$DEST/debs"
if ! apt-get "${OPTS[@]}" download "${PKGS[@]}" >"$APT/download.log" 2>&1; then
  cat "$APT/download.log" >&2
  echo "setup-lavapipe: could not download ${PKGS[*]} from bookworm-backports; see above" >&2
  exit 1
fi
rm -rf "$DEST/root"; mkdir -p "$DEST/root"
for deb in "$DEST"/debs/*.deb; do dpkg -x "$deb" "$DEST/root"; done
LIB="$LIBDIR/libvulkan_lvp.so"
[[ -f "$LIB" ]] || { echo "setup-lavapipe: $LIB missing after unpacking mesa-vulkan-drivers" >&2; exit 1; }
src_icd=$(ls "$DEST"/root/usr/share/vulkan/icd.d/lvp_icd*.json | head -1)
python3 - "$src_icd" "$LIB" "$ICD" <<'EOF'
import json, sys
src, lib, out = sys.argv[1:]
j = json.load(open(src))
j["ICD"]["library_path"] = lib
open(out, "w").write(json.dumps(j, indent=2) + "\n")
EOF
echo "lavapipe installed: $ICD ($(du -sh "$DEST/root" | cut -f1))"
echo "environment (src/backend.ts sets it by itself when it finds $ICD):"
print_env
