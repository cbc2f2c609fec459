// Run by scripts/test-package.sh from a fresh folder where only the packed tarball is installed: the package's ESM
// entry, imported by name as a consumer would, gives answers worked out by hand.
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { contrastiveLoss, initBackend, SeqPEEncoder, toDigits, fromDigits, specFor } from 'seqpe-ts';
import * as node from 'seqpe-ts/node';
import pkg from 'seqpe-ts/package.json' with { type: 'json' };

await initBackend();
// 123 in base 10 over 5 slots, left-padded; 2-D (3, 7) in base 2 with 3 slots per dimension: 011 111.
assert.deepEqual(toDigits(123, { dims: 1, digits: 5, base: 10 }), [0, 0, 1, 2, 3]);
assert.deepEqual(toDigits([3, 7], { dims: 2, digits: 3, base: 2 }), [0, 1, 1, 1, 1, 1]);
assert.deepEqual(fromDigits([0, 1, 1, 1, 1, 1], { dims: 2, digits: 3, base: 2 }), [3, 7]);
assert.deepEqual(specFor(1000, 1, 10), { dims: 1, digits: 3, base: 10 });

// L_δ by hand: pivot (1,0) vs candidates (1,0),(0,0), label 0: logits [1, 0] → log(1 + e^-1);
// pivot (0,2) vs (0,1),(0,-1), label 1: logits [2, -2] → 2 + log(e^2 + e^-2) = 4 + log(1 + e^-4); the loss is the mean.
const want = (Math.log(1 + Math.exp(-1)) + 4 + Math.log(1 + Math.exp(-4))) / 2;
const got = tf.tidy(() =>
  contrastiveLoss(tf.tensor2d([[1, 0], [0, 2]]), tf.tensor3d([[[1, 0], [0, 0]], [[0, 1], [0, -1]]]), [0, 1]).dataSync()[0],
);
assert.ok(Math.abs(got - want) < 1e-6, `contrastiveLoss ${got}, by hand ${want}`);

// The encoder: one row of outDim per position; the same seed gives the same numbers; no tensor left behind.
const before = tf.memory().numTensors;
const cfg = { seed: 1, dims: 1, maxPosition: 1000, width: 16, heads: 2, layers: 1, outDim: 8 };
const a = new SeqPEEncoder(cfg);
const b = new SeqPEEncoder(cfg);
const ya = a.encode([0, 7, 123], { training: false });
const yb = b.encode([0, 7, 123], { training: false });
assert.deepEqual(ya.shape, [3, 8]);
assert.deepEqual(Array.from(ya.dataSync()), Array.from(yb.dataSync()));
tf.dispose([ya, yb]);
a.dispose();
b.dispose();
assert.equal(tf.memory().numTensors, before);

// The Node entry shares the same functions; package.json is exported.
assert.equal(node.toDigits, toDigits);
assert.equal(typeof node.saveWeightsOf, 'function');
assert.equal(pkg.name, 'seqpe-ts');
console.log('esm: known answers ok');
