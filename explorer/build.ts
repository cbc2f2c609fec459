/**
 * `npm run explorer` builds the explorer into explorer/dist/ (git-ignored): index.html and style.css from
 * explorer/static/, app.js (explorer/src bundled by esbuild with tfjs's WebGL, wasm and cpu backends, and WebGPU loaded
 * where navigator.gpu exists), tfjs's .wasm binaries, plotly.min.js, and the trained weights under assets/ (scripts/explorer-weights.ts).
 * `npm run explorer -- --serve [--port N]` then serves it on localhost and prints the URL.
 *
 * The library modules the page imports reach Node built-ins only on paths the page never takes; the bundle maps
 * `fs`, `path`, `crypto` to explorer/shims/node-builtin.ts (every call throws), `os` to shims/os.ts (the byte order,
 * answered truthfully), the training loop's checkpoint module to shims/checkpoint.ts (Buffer at load time) and its
 * engine module src/backend.ts to shims/backend.ts (its require()s would bundle a second tfjs-core).
 */
import * as esbuild from 'esbuild';
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { writeExplorerWeights } from '../scripts/explorer-weights';
import { serveStatic } from './serve';

const HERE = __dirname;
const ROOT = path.resolve(HERE, '..');
export const DIST = path.join(HERE, 'dist');

const USAGE = `usage: npm run explorer [-- --serve [--port N] | --out DIR | --no-minify]

Builds the SeqPE explorer page into explorer/dist/ (or DIR).
  --serve       after building, serve the page on http://127.0.0.1:PORT/ until interrupted
  --port N      port for --serve (default 8080; 0 = any free port)
  --out DIR     build into DIR instead of explorer/dist/
  --no-minify   readable app.js (for debugging)
  -h, --help    this text`;

/** Node built-ins and the checkpoint module → the page's shims (see the header). */
const nodeShims: esbuild.Plugin = {
  name: 'explorer-node-shims',
  setup(b) {
    b.onResolve({ filter: /^(node:)?(fs|path|crypto)$/ }, () => ({ path: path.join(HERE, 'shims', 'node-builtin.ts') }));
    b.onResolve({ filter: /^(node:)?os$/ }, () => ({ path: path.join(HERE, 'shims', 'os.ts') }));
    b.onResolve({ filter: /\/checkpoint$/ }, (args) =>
      path.resolve(args.resolveDir, args.path) === path.join(ROOT, 'src', 'train', 'checkpoint')
        ? { path: path.join(HERE, 'shims', 'checkpoint.ts') }
        : undefined);
    // Node's engine picker (src/backend.ts, imported by the loop for engineStepEnd) require()s the wasm and webgpu
    // backends, which would bundle a second, CommonJS tfjs-core: see shims/backend.ts.
    b.onResolve({ filter: /\/backend$/ }, (args) =>
      path.resolve(args.resolveDir, args.path) === path.join(ROOT, 'src', 'backend')
        ? { path: path.join(HERE, 'shims', 'backend.ts') }
        : undefined);
    // Anything else Node-only that our code pulls in is a build error, not a broken page. Inside packages (tfjs-backend-
    // wasm's Emscripten loader probes worker_threads in a try/catch, on its Node path only) it gets the throwing shim.
    b.onResolve({ filter: /^(node:)?(child_process|worker_threads|http|https|net|zlib|stream|readline|url|util)$/ }, (args) =>
      args.importer.includes(`${path.sep}node_modules${path.sep}`)
        ? { path: path.join(HERE, 'shims', 'node-builtin.ts') }
        : { errors: [{ text: `Node built-in '${args.path}' imported by ${path.relative(ROOT, args.importer)}: the page cannot use it` }] });
  },
};

export interface BuildResult {
  outDir: string;
  /** Bytes of each file written at the top level of outDir. */
  sizes: Record<string, number>;
  weights: string[];
}

export async function buildExplorer(opts: { outDir?: string; minify?: boolean } = {}): Promise<BuildResult> {
  const outDir = path.resolve(opts.outDir ?? DIST);
  fs.mkdirSync(outDir, { recursive: true });
  for (const f of ['index.html', 'style.css']) fs.copyFileSync(path.join(HERE, 'static', f), path.join(outDir, f));
  fs.copyFileSync(require.resolve('plotly.js-dist-min/plotly.min.js'), path.join(outDir, 'plotly.min.js'));
  // The wasm engine's binaries (plain and SIMD; the threaded one needs cross-origin isolation, which the page skips).
  const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
    fs.copyFileSync(path.join(wasmDir, f), path.join(outDir, f));
  }
  const built = await esbuild.build({
    entryPoints: [path.join(HERE, 'src', 'main.ts')],
    outfile: path.join(outDir, 'app.js'),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2020',
    minify: opts.minify ?? true,
    sourcemap: false,
    legalComments: 'none',
    define: { 'process.env.NODE_ENV': '"production"' },
    plugins: [nodeShims],
    logLevel: 'warning',
    metafile: true,
  });
  // One tfjs-core, or tensors of one copy meet the ops of the other (null op handler at the first training step).
  const cjsCore = Object.keys(built.metafile.inputs).filter((f) => /@tensorflow\/[^/]+\/dist\/tf-[a-z-]+\.node\.js$/.test(f));
  if (cjsCore.length > 0) {
    throw new Error(`explorer bundle: CommonJS builds of tfjs packages were pulled in (${cjsCore.join(', ')}), a second tfjs-core beside the ES one; a library module the page imports require()s a tfjs package (map it to a shim in explorer/build.ts)`);
  }
  const weights = writeExplorerWeights(path.join(outDir, 'assets'), ROOT);
  const sizes: Record<string, number> = {};
  for (const f of fs.readdirSync(outDir)) {
    const p = path.join(outDir, f);
    if (fs.statSync(p).isFile()) sizes[f] = fs.statSync(p).size;
  }
  return { outDir, sizes, weights };
}

async function main(argv: string[]): Promise<number> {
  let values: { serve?: boolean; port?: string; out?: string; 'no-minify'?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        serve: { type: 'boolean' },
        port: { type: 'string' },
        out: { type: 'string' },
        'no-minify': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    console.error(`explorer: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  let port = 8080;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!/^\d+$/.test(values.port) || port > 65535) {
      console.error(`explorer: --port must be an integer in [0, 65535], got ${JSON.stringify(values.port)}\n\n${USAGE}`);
      return 2;
    }
    if (!values.serve) {
      console.error(`explorer: --port needs --serve\n\n${USAGE}`);
      return 2;
    }
  }
  const t0 = Date.now();
  const r = await buildExplorer({ outDir: values.out, minify: !values['no-minify'] });
  for (const l of r.weights) console.log(`  weights: ${l}`);
  const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
  console.log(`explorer: built ${path.relative(process.cwd(), r.outDir) || '.'} in ${((Date.now() - t0) / 1000).toFixed(1)} s (${Object.entries(r.sizes).map(([f, n]) => `${f} ${kib(n)}`).join(', ')})`);
  if (values.serve) {
    const s = await serveStatic(r.outDir, port);
    console.log(`explorer: serving ${s.url} (Ctrl-C to stop)`);
    await new Promise<void>(() => {}); // until interrupted
  }
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e) => {
      console.error(`explorer: ${(e as Error).message}`);
      process.exitCode = 1;
    },
  );
}
