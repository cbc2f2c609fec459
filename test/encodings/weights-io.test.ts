import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend';
import { SeqPEEncoder } from '../../src/encodings/seqpe/index';
import { assignNamed, loadWeights, loadWeightsOf, MANIFEST_FILE, readManifest, saveWeights, saveWeightsOf, WeightsFile } from '../../src/encodings/weights-io';
import { diskFullAfter, failingCall, faultyFs, shortWrites } from '../util/faulty-fs';

let root: string;
beforeAll(async () => {
  await initBackend();
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'seqpe-weights-'));
});
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

let n = 0;
const freshDir = () => path.join(root, `case-${n++}`);

describe('weights-io', () => {
  it('round-trips float32 and int32 tensors bit-exactly, in the tfjs manifest layout', () => {
    const dir = freshDir();
    const a = tf.tensor2d([1.5, -2.25, 3e-8, 1e30, -0, 7], [2, 3]);
    const b = tf.tensor1d([Math.PI], 'float32');
    const c = tf.tensor([-3, 0, 2147483647], [3], 'int32');
    saveWeights(dir, { 'blocks.0.w': a, scalarish: b, ids: c }, { note: 'hello' });
    const m = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST_FILE), 'utf8')) as WeightsFile;
    expect(m.meta).toEqual({ note: 'hello' });
    expect(m.weightsManifest).toHaveLength(1);
    expect(m.weightsManifest[0].weights).toEqual([
      { name: 'blocks.0.w', shape: [2, 3], dtype: 'float32' },
      { name: 'scalarish', shape: [1], dtype: 'float32' },
      { name: 'ids', shape: [3], dtype: 'int32' },
    ]);
    // The data file is little-endian, in manifest order: read it back by hand with a DataView.
    const bin = fs.readFileSync(path.join(dir, m.weightsManifest[0].paths[0]));
    expect(bin.length).toBe(4 * (6 + 1 + 3));
    const dv = new DataView(bin.buffer, bin.byteOffset, bin.length);
    expect(dv.getFloat32(4, true)).toBe(-2.25);
    expect(dv.getFloat32(6 * 4, true)).toBe(Math.fround(Math.PI));
    expect(dv.getInt32(9 * 4, true)).toBe(2147483647);
    // And tfjs's own decoder reads it (an independent route).
    const decoded = tf.io.decodeWeights(new Uint8Array(bin).buffer, m.weightsManifest[0].weights);
    expect(Array.from(decoded['blocks.0.w'].dataSync())).toEqual(Array.from(a.dataSync()));
    const { tensors, meta } = loadWeights(dir);
    expect(meta).toEqual({ note: 'hello' });
    expect([...tensors.keys()]).toEqual(['blocks.0.w', 'scalarish', 'ids']);
    expect(Array.from(tensors.get('blocks.0.w')!.dataSync())).toEqual(Array.from(a.dataSync()));
    expect(Object.is(tensors.get('blocks.0.w')!.dataSync()[4], -0)).toBe(true);
    expect(tensors.get('ids')!.dtype).toBe('int32');
    expect(Array.from(tensors.get('ids')!.dataSync())).toEqual([-3, 0, 2147483647]);
    tf.dispose([a, b, c, ...Object.values(decoded), ...tensors.values()]);
  });

  it('overwrites atomically: one data file and no temporary files remain after repeated saves', () => {
    const dir = freshDir();
    const t = tf.tensor1d([1, 2, 3]);
    saveWeights(dir, { t });
    const t2 = tf.tensor1d([4, 5, 6]);
    saveWeights(dir, { t: t2 });
    const files = fs.readdirSync(dir).sort();
    expect(files).toHaveLength(2);
    expect(files).toContain(MANIFEST_FILE);
    expect(files.some((f) => f.includes('.tmp'))).toBe(false);
    const { tensors } = loadWeights(dir);
    expect(Array.from(tensors.get('t')!.dataSync())).toEqual([4, 5, 6]);
    tf.dispose([t, t2, ...tensors.values()]);
  });

  it('a save that fails (disk full in the data file, or a failing rename of model.json) keeps the previous save loadable', () => {
    const dir = freshDir();
    const good = tf.tensor1d([1, 2, 3, 4]);
    saveWeights(dir, { w: good }, { v: 1 });
    const snapshot = () => new Map(fs.readdirSync(dir).map((f) => [f, fs.readFileSync(path.join(dir, f)).toString('hex')]));
    const before = snapshot();
    const next = tf.tensor1d(Array.from({ length: 4096 }, (_, i) => i));
    expect(() => saveWeights(dir, { w: next }, { v: 2 }, faultyFs(diskFullAfter(1000)))).toThrow(/writing .*weights\.[0-9a-f]{16}\.bin failed: ENOSPC/);
    expect(snapshot()).toEqual(before);
    // the data file goes through, the manifest's rename fails: the old manifest still names the old data file
    const failRename = failingCall('renameSync', 'EIO', 2).io;
    expect(() => saveWeights(dir, { w: next }, { v: 2 }, failRename)).toThrow(new RegExp(`writing ${path.join(dir, MANIFEST_FILE).replace(/[.]/g, '\\.')} failed: EIO`));
    const back = loadWeights(dir);
    expect(back.meta).toEqual({ v: 1 });
    expect(Array.from(back.tensors.get('w')!.dataSync())).toEqual([1, 2, 3, 4]);
    back.tensors.forEach((t) => t.dispose());
    // short writes are completed, not torn
    saveWeights(dir, { w: next }, { v: 3 }, faultyFs(shortWrites(5)));
    const again = loadWeights(dir);
    expect(Array.from(again.tensors.get('w')!.dataSync())).toEqual(Array.from(next.dataSync()));
    again.tensors.forEach((t) => t.dispose());
    good.dispose();
    next.dispose();
  });

  it('fails clearly on a missing directory, a truncated data file or a foreign manifest', () => {
    expect(() => loadWeights(path.join(root, 'nope'))).toThrow(/model\.json does not exist/);
    const dir = freshDir();
    const t = tf.tensor1d([1, 2, 3]);
    saveWeights(dir, { t });
    const m = readManifest(dir);
    const bin = path.join(dir, m.weightsManifest[0].paths[0]);
    fs.writeFileSync(bin, fs.readFileSync(bin).subarray(0, 8));
    expect(() => loadWeights(dir)).toThrow(/hold 8 bytes; the manifest describes 12/);
    fs.writeFileSync(path.join(dir, MANIFEST_FILE), JSON.stringify({ modelTopology: {} }));
    expect(() => loadWeights(dir)).toThrow(/no "weightsManifest" array/);
    fs.writeFileSync(
      path.join(dir, MANIFEST_FILE),
      JSON.stringify({ weightsManifest: [{ paths: ['x.bin'], weights: [{ name: 'h', shape: [2], dtype: 'float16' }] }] }),
    );
    expect(() => loadWeights(dir)).toThrow(/"h" has dtype float16; only float32 and int32/);
    const bad = tf.tensor1d([true, false], 'bool');
    expect(() => saveWeights(freshDir(), { bad })).toThrow(/"bad" has dtype bool/);
    tf.dispose([t, bad]);
  });

  it('assignNamed lists missing names, extra names and shape mismatches, and assigns nothing on error', () => {
    const vars = new Map<string, tf.Variable>([
      ['a', tf.variable(tf.zeros([2, 2]))],
      ['b', tf.variable(tf.zeros([3]))],
    ]);
    const good = new Map<string, tf.Tensor>([
      ['a', tf.ones([2, 2])],
      ['b', tf.ones([3])],
    ]);
    const missing = new Map<string, tf.Tensor>([['a', tf.ones([2, 2])]]);
    const extra = new Map<string, tf.Tensor>([...good, ['c', tf.ones([1])]]);
    const wrongShape = new Map<string, tf.Tensor>([
      ['a', tf.ones([2, 2])],
      ['b', tf.ones([4])],
    ]);
    expect(() => assignNamed(vars, missing, 'model X')).toThrow(/model X: .*missing "b" \(expected shape \[3\]\)/);
    expect(() => assignNamed(vars, extra, 'model X')).toThrow(/unexpected "c"/);
    expect(() => assignNamed(vars, wrongShape, 'model X')).toThrow(/shape mismatch for "b": got \[4\], expected \[3\]/);
    expect(Array.from(vars.get('a')!.dataSync())).toEqual([0, 0, 0, 0]); // untouched by the failed calls
    assignNamed(vars, good, 'model X');
    expect(Array.from(vars.get('a')!.dataSync())).toEqual([1, 1, 1, 1]);
    tf.dispose([...vars.values(), ...good.values(), ...missing.values(), ...extra.values(), ...wrongShape.values()]);
  });

  it('SeqPEEncoder save → load into a differently seeded encoder gives identical outputs; wrong shapes fail', () => {
    const dir = freshDir();
    const cfg = { width: 16, heads: 2, outDim: 8, dims: 2, maxPosition: 10000 };
    const a = new SeqPEEncoder({ seed: 1, ...cfg });
    const b = new SeqPEEncoder({ seed: 2, ...cfg });
    const pos = [[0, 0], [2, 3], [45, 67]];
    const ya = a.encode(pos, { training: false });
    const before = b.table(pos); // fills b's cache, which load must clear
    expect(tf.tidy(() => tf.max(tf.abs(ya.sub(before))).dataSync()[0])).toBeGreaterThan(1e-4);
    saveWeightsOf(a, dir);
    const m = readManifest(dir);
    expect(m.weightsManifest[0].weights.map((w) => w.name)).toEqual([...a.params.keys()]);
    loadWeightsOf(b, dir);
    expect(tf.tidy(() => Array.from(b.encode(pos, { training: false }).dataSync()))).toEqual(Array.from(ya.dataSync()));
    expect(tf.tidy(() => Array.from(b.table(pos).dataSync()))).toEqual(Array.from(ya.dataSync()));
    const other = new SeqPEEncoder({ seed: 1, ...cfg, outDim: 4 });
    expect(() => loadWeightsOf(other, dir)).toThrow(/shape mismatch for "out_proj.w": got \[16,8\], expected \[16,4\]/);
    const oneD = new SeqPEEncoder({ seed: 1, ...cfg, dims: 1, maxPosition: 100 });
    expect(() => loadWeightsOf(oneD, dir)).toThrow(/unexpected "dim_embedding"/);
    const n0 = tf.memory().numTensors;
    loadWeightsOf(b, dir);
    expect(tf.memory().numTensors).toBe(n0); // loaded tensors are released
    tf.dispose([ya, before]);
    [a, b, other, oneD].forEach((e) => e.dispose());
  });
});
