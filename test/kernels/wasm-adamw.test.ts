/**
 * One-kernel AdamW against src/train/adamw.ts: the same bits over several steps (two groups, decay on and off, a param
 * left without gradient), the identity semantics the SeqPE evaluation cache relies on, memory, and input errors.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend';
import { AdamW } from '../../src/train/adamw';
import type { Param } from '../../src/models/params';
import { adamwStep, type AdamWSlot } from '../../src/kernels/wasm/adamw';
import { randn } from './wasm-util';

beforeAll(async () => {
  await initBackend();
  expect(tf.getBackend()).toBe('wasm');
});

const SPECS: Array<{ name: string; shape: number[]; group: 'main' | 'pe'; decay: boolean }> = [
  { name: 'w', shape: [5, 3], group: 'main', decay: true },
  { name: 'b', shape: [3], group: 'main', decay: false },
  { name: 'pe.w', shape: [7], group: 'pe', decay: true },
  { name: 'pe.b', shape: [1, 2, 2], group: 'pe', decay: false },
];

describe('wasm adamwStep', () => {
  for (const weightDecay of [0, 0.1]) {
    it(`gives bit-identical params and moments to AdamW over 6 steps (weightDecay ${weightDecay})`, () => {
      const cfg = { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay };
      const params: Param[] = SPECS.map((s, i) => ({ name: s.name, variable: tf.variable(randn(s.shape, 80 + i)), group: s.group, decay: s.decay, owned: true }));
      const mine = SPECS.map((s, i) => tf.variable(randn(s.shape, 80 + i)));
      const m = SPECS.map((s) => tf.variable(tf.zeros(s.shape)));
      const v = SPECS.map((s) => tf.variable(tf.zeros(s.shape)));
      const opt = new AdamW(params, cfg);
      for (let t = 1; t <= 6; t++) {
        const lr = { main: 1e-2 / t, pe: 3e-3 };
        // Gradients of very different scales; 'pe.b' gets none at step 3 (skipped entirely by both).
        const grads = new Map(SPECS.map((s, i) => [s.name, randn(s.shape, 1000 * t + i, 10 ** (i - 2))] as const));
        if (t === 3) grads.delete('pe.b');
        opt.apply(grads, lr);
        const slots: AdamWSlot[] = SPECS.flatMap((s, i) => {
          const g = grads.get(s.name);
          return g ? [{ param: mine[i], grad: g, m: m[i], v: v[i], lr: lr[s.group], decay: s.decay }] : [];
        });
        adamwStep(slots, { ...cfg, step: t });
        tf.dispose([...grads.values()]);
      }
      const state = opt.getState();
      SPECS.forEach((s, i) => {
        expect(Array.from(mine[i].dataSync())).toEqual(Array.from(params[i].variable.dataSync()));
        expect(Array.from(m[i].dataSync())).toEqual(Array.from(state.m.get(s.name)!.data));
        expect(Array.from(v[i].dataSync())).toEqual(Array.from(state.v.get(s.name)!.data));
      });
      opt.dispose();
      tf.dispose([...params.map((p) => p.variable), ...mine, ...m, ...v]);
    });
  }

  it('gives each variable a new data buffer (caches keyed by data identity see the change) and leaks nothing', () => {
    const p = tf.variable(tf.ones([4])), m = tf.variable(tf.zeros([4])), v = tf.variable(tf.zeros([4]));
    const g = tf.fill([4], 0.5);
    const ids = [p.dataId, m.dataId, v.dataId];
    const before = tf.memory().numTensors;
    const bytes = tf.memory().numBytes;
    adamwStep([{ param: p, grad: g, m, v, lr: 0.1, decay: false }], { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, step: 1 });
    expect([p.dataId, m.dataId, v.dataId].every((id, i) => id !== ids[i])).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.memory().numBytes).toBe(bytes);
    // Step 1 of Adam moves every coordinate by lr (m̂/√v̂ = g/|g| = 1), up to ε: 1 − 0.1.
    expect(Array.from(p.dataSync())).toEqual(Array(4).fill(expect.closeTo(0.9, 6)));
    tf.dispose([p, m, v, g]);
  });

  it('rejects mismatched shapes, dtypes, hyper-parameters and duplicates by name', () => {
    const p = tf.variable(tf.ones([2, 2]), true, 'pp'), m = tf.variable(tf.zeros([2, 2])), v = tf.variable(tf.zeros([2, 2]));
    const h = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, step: 1 };
    tf.tidy(() => {
      const slot = { param: p, grad: tf.zeros([2, 2]), m, v, lr: 0.1, decay: false };
      expect(() => adamwStep([{ ...slot, grad: tf.zeros([4]) }], h)).toThrow(/slot 0 \("pp"\): grad has shape \[4\], param \[2,2\]/);
      expect(() => adamwStep([{ ...slot, grad: tf.zeros([2, 2], 'int32') }], h)).toThrow(/grad must be float32, got int32/);
      expect(() => adamwStep([{ ...slot, lr: NaN }], h)).toThrow(/lr must be a finite number ≥ 0, got NaN/);
      expect(() => adamwStep([slot, slot], h)).toThrow(/slot 1 \("pp"\) lists a parameter twice/);
      expect(() => adamwStep([slot], { ...h, beta2: 1 })).toThrow(/beta2 must be in \[0, 1\), got 1/);
      expect(() => adamwStep([slot], { ...h, step: 0 })).toThrow(/step must be an integer ≥ 1, got 0/);
    });
    tf.dispose([p, m, v]);
  });
});
