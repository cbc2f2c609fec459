// Source of 00-setup-and-backends.ipynb (percent format). Build: npx tsx scripts/make-notebook.ts notebooks/00-setup-and-backends.nb.ts

// %% [markdown]
// # 0. Setup and backends
//
// This project re-implements **SeqPE** — *Transformer with Sequential Position Encoding* (Li et al., 2025,
// arXiv 2506.13277) — in TypeScript on TensorFlow.js, and uses these notebooks to explain the method and to re-run the
// paper's experiments at a size this machine can afford.
//
// The idea in one paragraph: instead of looking a position up in a fixed table (which has nothing to say about positions
// never seen in training), SeqPE writes the position index as a short sequence of digits — position 123 becomes the
// tokens `0 0 1 2 3`, a 2-D patch position (2, 3) becomes `0 2 0 3` — and a small sequential encoder turns that digit
// sequence into the position embedding. Any position, in any number of dimensions, can be written this way. Two extra
// training losses shape the embeddings: one makes distances between embeddings follow distances between positions, the
// other anchors the embeddings of positions beyond the training range to those of positions inside it.
//
// ## How the notebooks are organised
//
// * Chapters are numbered `NN-topic.ipynb` and meant to be read in order; each one states a question, runs the smallest
//   experiment that answers it, and shows a table and a figure.
// * All the real code lives in the library under `src/` (positions, encodings, models, losses, training, evaluation,
//   experiments, report). Notebooks import it as `./src/...` — `notebooks/src` is a link to `../src`, because the tslab
//   kernel only compiles files below the notebook's folder.
// * Long training runs are not written in notebooks: they call `src/experiments`, which caches results by configuration.
// * The experiment size is chosen by the `SEQPE_PROFILE` environment variable: `quick` (minutes, used by CI), `small`,
//   or `paper`. Run every notebook headless with `npm run notebooks -- --profile quick`.
//
// This first chapter checks the machinery: which TensorFlow.js engine runs, a tiny computation we can verify by hand, a
// table, and an inline figure.
//
// **Run time:** about 5 min (281 s measured 2026-12-02 at the `small` profile by `npm run notebooks` on this project's machine: 2 cores of an AMD EPYC, wasm engine, shared with a running reproduction; less on an idle machine).

// %% [markdown]
// ## The engine
//
// `initBackend()` picks the fastest TensorFlow.js engine available (native TensorFlow if installed, else WebAssembly with
// SIMD, else plain JavaScript) and registers the extra kernels the project needs. Every entry point — tests, scripts,
// notebooks — calls it first and prints what it got; a chapter does so through `startChapter()`, which also picks the
// size profile (`SEQPE_PROFILE`) and prints both.

// %%
import {
  describeBackend, matMul, showTable, showFigure, findChromium, lineChart, multiPanel,
  closeRenderer, Rng, normalArray, startChapter,
} from './src/index';

const { backend, profile } = await startChapter({ committed: 'small' });

// %% [markdown]
// To force an engine, set `SEQPE_BACKEND` to `tensorflow`, `wasm` or `cpu` before the kernel starts, for example
// `SEQPE_BACKEND=cpu npm run notebooks -- 00`, or start Jupyter with it set. Inside a running notebook,
// `process.env.SEQPE_BACKEND = 'cpu'` in the first cell (before `startChapter()`) does the same after a kernel restart.
// A forced engine that is not available is an error, not a silent fallback.
//
// ## A computation checked by hand
//
// The project multiplies matrices through its own `matMul` (its gradient avoids a slow path of the WebAssembly engine).
// With `A = [[1, 2, 3], [4, 5, 6]]` and `B = [[1, 0], [0, 1], [1, 1]]` (rows listed), the product is
// `AB = [[4, 5], [10, 11]]`, and the gradient of the sum of all entries of `AB` with respect to `A` is `1·Bᵀ`: every row
// equals the row sums of `B`, `(1, 1, 2)`.

// %%
import * as tf from '@tensorflow/tfjs';

const tensorsBefore = tf.memory().numTensors;
const [product, gradA] = tf.tidy(() => {
  const A = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
  const B = tf.tensor2d([[1, 0], [0, 1], [1, 1]]);
  const g = tf.grad((a: tf.Tensor) => matMul(a, B).sum())(A);
  return [matMul(A, B).arraySync() as number[][], g.arraySync() as number[][]];
});
console.log('A·B       =', JSON.stringify(product));
console.log('d(ΣAB)/dA =', JSON.stringify(gradA));
if (JSON.stringify(product) !== '[[4,5],[10,11]]' || JSON.stringify(gradA) !== '[[1,1,2],[1,1,2]]') {
  throw new Error('matMul disagrees with the hand computation');
}
console.log(`tensors alive: ${tensorsBefore} before, ${tf.memory().numTensors} after (tf.tidy freed the rest)`);

// %% [markdown]
// ## The machine
//
// Results depend on the machine, so every report starts by saying what it ran on. Tables are
// [danfojs](https://danfo.jsdata.org/) DataFrames; `showTable` displays them as HTML with a Markdown fallback, and
// `writeTable` (not used here) saves the same table as CSV, Markdown and HTML under `results/`.

// %%
import * as os from 'os';
import * as dfd from 'danfojs-node';

const chromium = findChromium();
const facts = new dfd.DataFrame({
  fact: ['CPU', 'cores', 'memory', 'Node.js', 'TensorFlow.js', 'engine', 'tslab / its TypeScript', 'danfojs', 'Chromium (PNG figures)', 'profile'],
  value: [
    os.cpus()[0]?.model ?? 'unknown',
    String(os.cpus().length),
    `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    process.version,
    tf.version.tfjs,
    describeBackend(backend).replace(/^backend: /, ''),
    `${require('tslab').versions.tslab} / ${require('tslab').versions.typescript}`,
    require('danfojs-node/package.json').version,
    'path' in chromium ? chromium.path : `missing — ${chromium.missing}`,
    profile.name,
  ],
});
showTable(facts, { caption: 'Machine and software' });

// %% [markdown]
// ## A first measurement and a figure
//
// How fast is a single matrix product here? We time n×n by n×n products (random inputs from a fixed seed) and convert
// to GFLOP/s (2n³ floating-point operations per product). On the WebAssembly engine expect a few
// to a few tens of GFLOP/s from one core; small sizes are dominated by per-call overhead.
//
// The figure is shown with `showFigure`: the notebook stores a PNG (visible everywhere, including GitHub and the HTML
// export) and the plotly figure itself (interactive in JupyterLab).

// %%

const sizes = profile.name === 'quick' ? [32, 64, 128, 256, 512] : [32, 64, 128, 256, 512, 1024];
const budgetMs = profile.name === 'quick' ? 150 : 600; // time spent per size
const rng = new Rng(2025);

/** Fastest of repeated products: the minimum is the least disturbed by whatever else the machine is doing. */
async function msPerMatMul(n: number): Promise<{ ms: number; reps: number }> {
  const a = tf.tensor2d(normalArray(rng, n * n, 1), [n, n]);
  const b = tf.tensor2d(normalArray(rng, n * n, 1), [n, n]);
  const once = async () => {
    const t0 = performance.now();
    const c = matMul(a, b);
    await c.data(); // wait for the result: timing without it measures only the dispatch
    c.dispose();
    return performance.now() - t0;
  };
  await once(); // warm-up (allocation, first-call costs)
  let best = Infinity;
  let reps = 0;
  const start = performance.now();
  while (reps < 3 || performance.now() - start < budgetMs) {
    best = Math.min(best, await once());
    reps++;
  }
  a.dispose();
  b.dispose();
  return { ms: best, reps };
}

const timings: { n: number; reps: number; ms: number; gflops: number }[] = [];
for (const n of sizes) {
  const { ms, reps } = await msPerMatMul(n);
  timings.push({ n, reps, ms, gflops: (2 * n ** 3) / (ms * 1e6) });
}
showTable(timings, { digits: 3, caption: `matMul: fastest of reps (${describeBackend(backend)})` });

// %%
const timingFigure = multiPanel(
  [
    lineChart({ series: [{ name: 'matMul', x: sizes, y: timings.map((t) => t.ms) }], log2X: true, logY: true, xTitle: 'n', yTitle: 'ms per product (best)' }),
    lineChart({ series: [{ name: 'matMul', x: sizes, y: timings.map((t) => t.gflops) }], log2X: true, xTitle: 'n', yTitle: 'GFLOP/s' }),
  ],
  { titles: ['time', 'throughput'], title: `n×n matrix product on ${backend.name}` },
);
await showFigure(timingFigure, { width: 900, height: 380 });

// %% [markdown]
// Time grows roughly like n³ once n is large enough for the arithmetic to dominate, which shows as throughput
// levelling off on the right panel. The same helpers (`lineChart`, `heatmap`, `multiPanel`) draw every figure of the
// later chapters, and `renderFigure` writes them to `figures/` as PNG and interactive HTML.
//
// Everything works if this notebook ran to the end. The last cell closes the headless browser used for PNG figures
// (it would also close by itself after 30 s of inactivity).

// %%
await closeRenderer();
console.log(`done; tensors alive: ${tf.memory().numTensors}`);

// %% [markdown]
// ## Try it
//
// **Predict, then run.** Change `B2` below. Before running, write down `A·B2` and the gradient of the sum of its
// entries with respect to `A`: by the rule above, every row of the gradient is the row sums of `B2`. The cell prints
// both and says whether your prediction (`predicted`) was right. (Seconds.)

// %%
{
  const B2 = [[2, 0], [0, 3], [1, -1]];
  const predicted = { product: [[5, 3], [14, 9]], gradRow: [2, 3, 0] }; // edit after changing B2
  const [p2, g2] = tf.tidy(() => {
    const A = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
    const B = tf.tensor2d(B2);
    return [matMul(A, B).arraySync() as number[][], tf.grad((a: tf.Tensor) => matMul(a, B).sum())(A).arraySync() as number[][]];
  });
  console.log('A·B2 =', JSON.stringify(p2), ' d(ΣAB2)/dA =', JSON.stringify(g2));
  const ok = JSON.stringify(p2) === JSON.stringify(predicted.product) && g2.every((r) => JSON.stringify(r) === JSON.stringify(predicted.gradRow));
  console.log(ok ? 'your prediction was right' : 'not what you predicted: recompute by hand (rows of A times columns of B2)');
}
