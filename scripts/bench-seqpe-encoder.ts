/**
 * Times the SeqPE encoder's two computation paths: forward + backward for 1 100 five-digit positions at d = 128,
 * 2 layers, 2 heads, training mode (dropout 0.1). Two position sets: a contiguous window 0..1099 (like a main-task window)
 * and 1 100 uniform draws from [0, 20000) (like contrastive/transfer samples). Prints ms per step (median of repeats).
 *
 *   npx tsx scripts/bench-seqpe-encoder.ts [repeats=7]
 */
import * as tf from '@tensorflow/tfjs';
import { describeBackend, initBackend } from '../src/backend';
import { buildPrefixTrie, SeqPEEncoder } from '../src/encodings/seqpe/index';
import { geluTanh } from '../src/kernels/tuned/gelu';
import { encodeBatch } from '../src/positions/digits';
import { Rng } from '../src/util/rng';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  const info = await initBackend();
  console.log(describeBackend(info));
  const repeats = Number(process.argv[2] ?? 7);
  const enc = new SeqPEEncoder({ seed: 0, width: 128, layers: 2, heads: 2, maxPosition: 20000 });
  const rng = new Rng(1);
  const sets: Record<string, number[]> = {
    'window 0..1099': Array.from({ length: 1100 }, (_, i) => i),
    'random in [0,20000)': Array.from({ length: 1100 }, () => rng.int(0, 20000)),
  };
  for (const [label, positions] of Object.entries(sets)) {
    const unique = new Set(positions).size;
    const trie = buildPrefixTrie(encodeBatch([...new Set(positions)], enc.spec), false);
    console.log(
      `${label}: ${unique} unique positions, ${unique * (enc.seqLen + 1)} tokens (full path) vs ${trie.nodes} trie nodes (prefix path)`,
    );
    for (const path of ['full', 'prefix'] as const) {
      const times: number[] = [];
      const fwd: number[] = [];
      for (let r = 0; r < repeats + 1; r++) {
        const t0 = performance.now();
        const out = tf.tidy(() => enc.encode(positions, { training: true, path }));
        await out.data();
        const t1 = performance.now();
        out.dispose();
        const t2 = performance.now();
        const { value, grads } = tf.variableGrads(
          () => enc.encode(positions, { training: true, path }).square().mean() as tf.Scalar,
          enc.variables,
        );
        await Promise.all(Object.values(grads).map((g) => g.data()));
        const t3 = performance.now();
        value.dispose();
        Object.values(grads).forEach((g) => g.dispose());
        if (r > 0) {
          fwd.push(t1 - t0);
          times.push(t3 - t2);
        }
      }
      console.log(`  ${path.padEnd(6)}  forward ${median(fwd).toFixed(1)} ms   forward+backward ${median(times).toFixed(1)} ms`);
    }
  }
  // The encoder's GELU (src/kernels/tuned/gelu.ts geluTanh, hand gradient) against autodiff of the same x·σ(2u) form
  // (the literal tanh form is far slower on wasm: its Tanh kernel is a scalar loop).
  const x = tf.randomNormal([3200, 512], 0, 1, 'float32', 3);
  const c = Math.sqrt(2 / Math.PI);
  const geluSigmoid = (t: tf.Tensor) => t.mul(tf.sigmoid(t.add(t.mul(t).mul(t).mul(0.044715)).mul(2 * c)));
  for (const [label, f] of [
    ['geluTanh (kernels/tuned)', geluTanh],
    ['x·sigmoid(2u) form', geluSigmoid],
  ] as const) {
    const ts: number[] = [];
    for (let r = 0; r < repeats + 1; r++) {
      const t0 = performance.now();
      const g = tf.grad((t: tf.Tensor) => f(t).sum())(x);
      g.dataSync();
      g.dispose();
      if (r > 0) ts.push(performance.now() - t0);
    }
    console.log(`GELU fwd+bwd on [3200, 512], ${label}: ${median(ts).toFixed(1)} ms`);
  }
  x.dispose();
  console.log(`tensors alive at the end: ${tf.memory().numTensors} (the encoder's ${enc.variables.length} variables)`);
  enc.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
