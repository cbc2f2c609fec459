/**
 * A weights manifest (model.json) can name only plain files in its own folder: crafted manifests that point up (`..`),
 * to an absolute path, into a sub-folder, or through a symlink that leaves the folder are refused before any byte is
 * read, naming the path (src/encodings/weights-io.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend';
import { loadWeights, MANIFEST_FILE, saveWeights, type WeightsFile } from '../../src/encodings/weights-io';

let root: string;
let dir: string;
let manifest: WeightsFile;
let binName: string;

beforeAll(async () => {
  await initBackend();
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'seqpe-wpaths-'));
  dir = path.join(root, 'model');
  const t = tf.tensor1d([1, 2, 3, 4]);
  saveWeights(dir, new Map([['w', t]]));
  t.dispose();
  manifest = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST_FILE), 'utf8')) as WeightsFile;
  binName = manifest.weightsManifest[0].paths[0];
  // a file outside the folder with exactly the bytes the manifest expects: only the path check can stop it
  fs.copyFileSync(path.join(dir, binName), path.join(root, 'outside.bin'));
  fs.mkdirSync(path.join(dir, 'sub'));
  fs.copyFileSync(path.join(dir, binName), path.join(dir, 'sub', 'inner.bin'));
  fs.symlinkSync(path.join(root, 'outside.bin'), path.join(dir, 'link-out.bin'));
  fs.symlinkSync(binName, path.join(dir, 'link-in.bin'));
});

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function withPath(p: string): () => void {
  const m = JSON.parse(JSON.stringify(manifest)) as WeightsFile;
  m.weightsManifest[0].paths = [p];
  fs.writeFileSync(path.join(dir, MANIFEST_FILE), JSON.stringify(m));
  return () => {
    const { tensors } = loadWeights(dir);
    for (const t of tensors.values()) t.dispose();
  };
}

describe('weights manifest paths', () => {
  it.each([
    ['../outside.bin', 'a path with a separator'],
    ['<root>/outside.bin', 'an absolute path'],
    ['sub/inner.bin', 'a path with a separator'],
    ['sub\\inner.bin', 'a path with a separator'],
    ['..', 'not a file name'],
    ['', 'which is not a file name'],
    ['link-out.bin', 'a link to <root>/outside.bin, outside <root>/model'],
    ['sub', 'not a plain file'],
  ])('%j is refused', (given, because) => {
    // the table is built before beforeAll runs: <root> stands for the temporary folder
    const real = fs.realpathSync(root);
    const p = given.replace('<root>', root);
    const why = because.replace(/<root>/g, real);
    expect(withPath(p)).toThrow(`loadWeights: ${path.join(dir, MANIFEST_FILE)} names data file ${JSON.stringify(p)}, ${why}`);
  });

  it('names inside the folder load, through a symlink that stays inside too', () => {
    for (const p of [binName, 'link-in.bin']) {
      const m = JSON.parse(JSON.stringify(manifest)) as WeightsFile;
      m.weightsManifest[0].paths = [p];
      fs.writeFileSync(path.join(dir, MANIFEST_FILE), JSON.stringify(m));
      const { tensors } = loadWeights(dir);
      expect(Array.from(tensors.get('w')!.dataSync())).toEqual([1, 2, 3, 4]);
      for (const t of tensors.values()) t.dispose();
    }
  });
});
