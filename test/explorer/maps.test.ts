/**
 * The explorer's map arithmetic (explorer/src/maps.ts) against independent routes: cosine against a hand-worked map and
 * against normalising the vectors first; awareness against the reproduction's runners (awarenessOn in
 * src/experiments/runners/common.ts, and the ViT runner's per-grid scores); the page's input parsing (digits-panel.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { awarenessOfRange, cosineOf, view1d, view2d } from '../../explorer/src/maps';
import { digitsView, parsePosition } from '../../explorer/src/digits-panel';
import { initBackend } from '../../src/backend';
import { createEncoding } from '../../src/encodings/index';
import { awarenessOn, mapFor } from '../../src/experiments/runners/common';
import { distanceAwareness, similarityMap, type SimilarityMap } from '../../src/eval/similarity';
import type { PositionLayout } from '../../src/encodings/types';

beforeAll(async () => {
  await initBackend('wasm');
});

const dims = { dModel: 16, heads: 2, layers: 1 };

describe('cosineOf', () => {
  it('normalises a hand-worked 2×2 dot-product map', () => {
    // vectors (3, 4) and (1, 0): dots 25, 3, 3, 1 → cosines 1, 0.6, 0.6, 1
    const m: SimilarityMap = { values: Float32Array.from([25, 3, 3, 1]), size: 2, description: 'x: dot products of position vectors' };
    const c = cosineOf(m);
    expect(Array.from(c.values)).toEqual([1, 0.6000000238418579, 0.6000000238418579, 1]);
    expect(c.description).toBe('x: cosine similarity of position vectors');
  });

  it('equals the dot products of unit-normalised vectors (SeqPE, random init)', () => {
    const enc = createEncoding({ name: 'seqpe', mode: 'input_add', encoder: { width: 16, heads: 2, maxPosition: 1000, residDropout: 0 } }, dims, 3);
    const layout: PositionLayout = { kind: '1d', start: 0, length: 40 };
    const c = cosineOf(similarityMap(enc, layout, { source: 'raw' }));
    const direct = tf.tidy(() => {
      const e = enc.apply(layout, { training: false }).vectors!.main;
      const u = e.div(e.norm('euclidean', 1, true));
      return u.matMul(u.transpose()).dataSync() as Float32Array;
    });
    for (let i = 0; i < direct.length; i++) expect(c.values[i]).toBeCloseTo(direct[i], 5);
    enc.dispose();
  });

  it('refuses a zero vector instead of dividing by zero', () => {
    const m: SimilarityMap = { values: Float32Array.from([1, 0, 0, 0]), size: 2, description: 'd' };
    expect(() => cosineOf(m)).toThrow('cosine similarity: position vector 1 has squared norm 0; cosine is undefined for it');
  });
});

describe('awareness', () => {
  it('1-D: equals the LM runner\'s awarenessOn inside [0,T) and beyond [T,4T), for a raw and an applied map', () => {
    const T = 16;
    const ext: PositionLayout = { kind: '1d', start: 0, length: 4 * T };
    for (const spec of [{ name: 'sinusoidal' as const }, { name: 'rope' as const }, { name: 'alibi' as const }]) {
      const enc = createEncoding(spec, dims, 1);
      const m = mapFor(enc, ext, dims);
      const v = view1d(enc, dims, T, 4 * T, 'dot', true);
      expect(v.awareness.inside).toBeCloseTo(awarenessOn(m, ext, 0, T, true), 10);
      expect(v.awareness.beyond).toBeCloseTo(awarenessOn(m, ext, T, 4 * T, true), 10);
      expect(v.rows).toHaveLength(4 * T);
      expect(v.boundary).toBe(T);
      expect(v.metric).toBe(spec.name === 'sinusoidal' ? 'dot' : 'applied');
      enc.dispose();
    }
  });

  it('awarenessOfRange is 1 for similarity = −distance and −1 for similarity = +distance', () => {
    const n = 12;
    const near = new Float32Array(n * n);
    const far = new Float32Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      near[i * n + j] = -Math.abs(i - j);
      far[i * n + j] = Math.abs(i - j);
    }
    const layout: PositionLayout = { kind: '1d', start: 0, length: n };
    expect(awarenessOfRange({ values: near, size: n, description: '' }, layout, 0, n)).toBeCloseTo(1, 12);
    expect(awarenessOfRange({ values: far, size: n, description: '' }, layout, 2, 9)).toBeCloseTo(-1, 12);
  });

  it('2-D: inside = the training grid\'s own map, beyond = the whole large grid, as the ViT runner scores them', () => {
    const enc = createEncoding({ name: 'seqpe', mode: 'qk_gate', encoder: { dims: 2, width: 16, heads: 2, maxPosition: 10000, residDropout: 0 } }, dims, 5);
    const small: PositionLayout = { kind: '2d', start: [0, 0], rows: 4, cols: 4, prefix: 1 };
    const big: PositionLayout = { kind: '2d', start: [0, 0], rows: 9, cols: 9, prefix: 1 };
    const v = view2d(enc, dims, 4, 9, [2, 3], 'dot');
    expect(v.awareness.inside).toBeCloseTo(awarenessOn(mapFor(enc, small, dims), small, 0, 16), 10);
    expect(v.awareness.beyond).toBeCloseTo(awarenessOn(mapFor(enc, big, dims), big, 0, 81), 10);
    // The drawn grid is the query patch's row of the big map.
    const m = mapFor(enc, big, dims);
    const q = 2 * 9 + 3;
    expect(v.rows[5][7]).toBeCloseTo(m.values[q * 81 + 5 * 9 + 7], 6);
    // Cosine: the query patch is exactly 1 with itself.
    expect(view2d(enc, dims, 4, 9, [2, 3], 'cosine').rows[2][3]).toBeCloseTo(1, 5);
    enc.dispose();
  });

  it('rejects a view without a part beyond the training range', () => {
    const enc = createEncoding({ name: 'sinusoidal' }, dims, 1);
    expect(() => view1d(enc, dims, 16, 17, 'dot')).toThrow('view1d: need integers 2 ≤ trainLength < extent − 1, got trainLength 16, extent 17');
    expect(() => view2d(enc, dims, 7, 7, [0, 0], 'dot')).toThrow('view2d: need integers 2 ≤ trainSide < side, got trainSide 7, side 7');
    enc.dispose();
  });

  it('cosine and dot maps score alike when every vector has the same norm; awareness is the library\'s on the sub-map', () => {
    // Equal norms (sinusoidal rows all have norm √(d/2)) → cosine is a constant multiple of the dot map → the same ranks,
    // up to float32 rounding of near-ties (sinusoid maps have many nearly equal entries).
    const enc = createEncoding({ name: 'sinusoidal' }, dims, 1);
    const a = view1d(enc, dims, 16, 64, 'dot');
    const b = view1d(enc, dims, 16, 64, 'cosine');
    expect(b.awareness.inside).toBeCloseTo(a.awareness.inside, 3);
    expect(b.awareness.beyond).toBeCloseTo(a.awareness.beyond, 3);
    const m = similarityMap(enc, { kind: '1d', start: 0, length: 64 }, { source: 'raw' });
    expect(a.awareness.inside).toBeCloseTo(distanceAwareness(
      { values: Float32Array.from({ length: 256 }, (_, k) => m.values[Math.floor(k / 16) * 64 + (k % 16)]), size: 16, description: '' },
      Array.from({ length: 16 }, (_, i) => [i]),
    ), 10);
    enc.dispose();
  });
});

describe('digits panel input', () => {
  it('parses comma-separated coordinates and hands odd values to the library checks', () => {
    expect(parsePosition(' 2, 3 ')).toEqual([2, 3]);
    expect(parsePosition('123')).toEqual([123]);
    expect(() => parsePosition('2,,3')).toThrow('position "2,,3": coordinate 2 of 3 is empty');
    expect(() => digitsView('x', '10', '3', '1')).toThrow('position: position coordinate is NaN; expected a whole number');
    expect(() => digitsView('-4', '10', '3', '1')).toThrow('position coordinate -4 is negative');
    expect(() => digitsView('4', '', '3', '1')).toThrow('base is empty');
  });

  it('gives the digits, pads, slot and dimension ids of Fig. 1\'s patch (2, 3)', () => {
    const v = digitsView('2,3', '10', '2', '2');
    expect(v.digits).toEqual([0, 2, 0, 3]);
    expect(v.pad).toEqual([true, false, true, false]);
    expect(v.slotIds).toEqual([0, 1, 2, 3]);
    expect(v.dimIds).toEqual([0, 0, 1, 1]);
  });
});
