// Run by scripts/test-package.sh: the package's CommonJS entry, required by name from a fresh install.
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const tf = require('@tensorflow/tfjs');
const seqpe = require('seqpe-ts');
const { initBackend, SeqPEEncoder, toDigits, contrastiveLoss, saveWeightsOf, loadWeightsOf, PROJECT_ROOT } = seqpe;

(async () => {
  await initBackend();
  assert.deepEqual(toDigits(123, { dims: 1, digits: 5, base: 10 }), [0, 0, 1, 2, 3]);
  // 255 in base 16 over 3 slots: 0 F F.
  assert.deepEqual(toDigits(255, { dims: 1, digits: 3, base: 16 }), [0, 15, 15]);
  // L_δ with one pivot: logits [0, 0, 0] (orthogonal candidates) → log 3, whatever the label.
  const l = tf.tidy(() => contrastiveLoss(tf.tensor2d([[1, 0]]), tf.tensor3d([[[0, 1], [0, 2], [0, -1]]]), [2]).dataSync()[0]);
  assert.ok(Math.abs(l - Math.log(3)) < 1e-6, `contrastiveLoss ${l}, by hand ${Math.log(3)}`);
  // Save to a folder and load into a differently seeded encoder: identical outputs.
  const cfg = { dims: 2, maxPosition: 100, width: 16, heads: 2, layers: 1, outDim: 4 };
  const a = new SeqPEEncoder({ seed: 1, ...cfg });
  const b = new SeqPEEncoder({ seed: 2, ...cfg });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seqpe-pkg-'));
  saveWeightsOf(a, dir);
  loadWeightsOf(b, dir);
  const pos = [[0, 0], [3, 4], [9, 9]];
  const ya = a.encode(pos, { training: false });
  const yb = b.encode(pos, { training: false });
  assert.deepEqual(ya.shape, [3, 4]);
  assert.deepEqual(Array.from(yb.dataSync()), Array.from(ya.dataSync()));
  tf.dispose([ya, yb]);
  a.dispose();
  b.dispose();
  fs.rmSync(dir, { recursive: true });
  // Installed, the project root is the working folder (results land where the command ran, not in node_modules).
  assert.equal(PROJECT_ROOT, process.cwd());
  assert.equal(require('seqpe-ts/node').toDigits, toDigits);
  console.log('cjs: known answers ok');
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
