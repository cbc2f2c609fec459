/** Every encoding's stated capabilities agree with what apply() actually does (so callers can ask instead of catching). */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend';
import { createEncoding, type EncodingSpec } from '../../src/encodings/index';
import { layoutSize, type PositionLayout } from '../../src/encodings/types';

beforeAll(async () => {
  await initBackend();
});

const model = { dModel: 16, heads: 2, layers: 2 };
const specs: Array<[EncodingSpec, 1 | 2]> = [
  [{ name: 'none' }, 1],
  [{ name: 'sinusoidal' }, 1],
  [{ name: 'sinusoidal' }, 2],
  [{ name: 'rope' }, 1],
  [{ name: 'alibi' }, 1],
  [{ name: 'ape', trainLength: 8 }, 1],
  [{ name: 'ape', trainRows: 3, trainCols: 3 }, 2],
  [{ name: 'rope2d' }, 2],
  [{ name: 'rope-mixed' }, 2],
  [{ name: 'seqpe', mode: 'attn_bias', encoder: { width: 16, heads: 2, layers: 1, maxPosition: 1000 } }, 1],
  [{ name: 'seqpe', mode: 'qk_gate', encoder: { dims: 2, width: 16, heads: 2, layers: 1, maxPosition: 400 } }, 2],
];
const origin = (d: 1 | 2): PositionLayout => (d === 1 ? { kind: '1d', start: 0, length: 8 } : { kind: '2d', start: [0, 0], rows: 3, cols: 3 });
const far = (d: 1 | 2): PositionLayout => (d === 1 ? { kind: '1d', start: 500, length: 8 } : { kind: '2d', start: [12, 15], rows: 3, cols: 3 });

describe('encoding capabilities', () => {
  for (const [spec, d] of specs) {
    it(`${spec.name} (${d}-D): rawVectors, carriesPosition, shiftedWindows and extraPositions match apply()`, () => {
      const enc = createEncoding(spec, model, 3);
      const c = enc.capabilities;
      tf.tidy(() => {
        const out = enc.apply(origin(d), { training: false });
        expect(out.vectors !== undefined, 'vectors').toBe(c.rawVectors);
        if (out.vectors) expect(out.vectors.main.shape).toEqual([layoutSize(origin(d)), out.vectors.main.shape[1]]);
        expect(!!(out.inputAdd || out.attnBias || out.qk), 'carries position').toBe(c.carriesPosition);
        const shifted = () => enc.apply(far(d), { training: false });
        if (c.shiftedWindows[d === 1 ? '1d' : '2d']) expect(shifted).not.toThrow();
        else expect(shifted).toThrow();
        const extra = () => enc.apply(origin(d), { training: false, extraPositions: d === 1 ? [[3], [70]] : [[1, 2], [9, 9]] });
        if (c.extraPositions) expect(extra().vectors!.extra!.shape[0]).toBe(2);
        else expect(extra).toThrow(/extraPositions/);
      });
      expect([...enc.namedVariables().values()]).toEqual(enc.variables);
      expect(new Set(enc.namedVariables().keys()).size).toBe(enc.variables.length);
      enc.dispose();
    });
  }
});
