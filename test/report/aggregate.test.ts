/**
 * Per-seed rows → mean ± spread through a danfojs groupby (src/report/aggregate.ts): hand-worked means and spreads,
 * agreement with the danfojs-free aggregateSeeds over random tables, the pivot to a wide table, and the errors.
 */
import { describe, expect, it } from 'vitest';
import { groupSeeds, pivotWide } from '../../src/report/aggregate';
import { aggregateSeeds, type Row } from '../../src/report/tables';
import { Rng } from '../../src/util/rng';

describe('groupSeeds (danfojs groupby)', () => {
  it('gives the hand-worked mean and population std per method × length, missing values left out', () => {
    const runs: Row[] = [
      { method: 'SeqPE', seed: 1, length: 128, ppl: 10 },
      { method: 'SeqPE', seed: 2, length: 128, ppl: 14 },
      { method: 'RoPE', seed: 1, length: 128, ppl: 20 },
      { method: 'SeqPE', seed: 1, length: 512, ppl: 30 },
      { method: 'RoPE', seed: 2, length: 128, ppl: 23 },
      { method: 'SeqPE', seed: 2, length: 512, ppl: null },
      { method: 'SeqPE', seed: 3, length: 128, ppl: 12 },
    ];
    const agg = groupSeeds(runs, { by: ['method', 'length'], values: ['ppl'] });
    // SeqPE@128: 10, 14, 12 → mean 12, std √((4+4+0)/3) = √(8/3) = 1.63299…; RoPE@128: 20, 23 → 21.5 ± 1.5;
    // SeqPE@512: 30 and a missing value → 30, no spread, n counts both runs.
    expect(agg.map((r) => [r.method, r.length, r.n, r.ppl])).toEqual([
      ['SeqPE', 128, 3, '12.00 ± 1.63'],
      ['RoPE', 128, 2, '21.50 ± 1.50'],
      ['SeqPE', 512, 2, '30.00'],
    ]);
    expect(agg[0].ppl_mean).toBe(12);
    expect(agg[0].ppl_spread).toBeCloseTo(Math.sqrt(8 / 3), 14);
    expect(agg[1].ppl_spread).toBe(1.5);
    expect(agg[2].ppl_spread).toBeNull();
    // other spreads, by hand for 10, 14, 12: sample std √(8/2) = 2, half range (14 − 10)/2 = 2, sem 2/√3
    const seq128 = runs.filter((r) => r.method === 'SeqPE' && r.length === 128);
    expect(groupSeeds(seq128, { by: ['method'], values: ['ppl'], spread: 'sampleStd' })[0].ppl_spread).toBe(2);
    expect(groupSeeds(seq128, { by: ['method'], values: ['ppl'], spread: 'halfRange' })[0].ppl_spread).toBe(2);
    expect(groupSeeds(seq128, { by: ['method'], values: ['ppl'], spread: 'sem' })[0].ppl_spread).toBeCloseTo(2 / Math.sqrt(3), 14);
  });

  it('equals aggregateSeeds exactly on 40 random tables (several value columns, missing values, numeric keys)', () => {
    const rng = new Rng(3);
    for (let t = 0; t < 40; t++) {
      const rows: Row[] = [];
      const n = 1 + Math.floor(rng.next() * 30);
      for (let i = 0; i < n; i++) {
        rows.push({
          method: ['SeqPE', 'RoPE', 'ALiBi', 'APE'][Math.floor(rng.next() * 4)],
          x: [64, 128, 256][Math.floor(rng.next() * 3)],
          a: rng.next() < 0.1 ? null : (rng.next() - 0.5) * 1e3,
          b: rng.next() * 1e-3,
        });
      }
      const o = { by: ['method', 'x'], values: ['a', 'b'], digits: 3 };
      expect(groupSeeds(rows, o)).toEqual(aggregateSeeds(rows, o));
    }
  });

  it('refuses bad rows, and group keys that danfojs would merge', () => {
    expect(() => groupSeeds([{ m: 'a', v: 1 }], { by: ['model'], values: ['v'] })).toThrow(/row 0 has no column 'model'/);
    expect(() => groupSeeds([{ m: 'a', v: 'x' }], { by: ['m'], values: ['v'] })).toThrow(/row 0 column 'v' is "x"; expected a number/);
    expect(() => groupSeeds([{ m: 'a', v: NaN }], { by: ['m'], values: ['v'] })).toThrow(/column 'v' is NaN; expected a finite number/);
    expect(() => groupSeeds([{ m: null, v: 1 }], { by: ['m'], values: ['v'] })).toThrow(/key column 'm' is null/);
    expect(() => groupSeeds([{ m: 'a', v: 1 }], { by: [], values: ['v'] })).toThrow(/no group columns/);
    const clash: Row[] = [{ m: 'a-b', k: 'c', v: 1 }, { m: 'a', k: 'b-c', v: 2 }];
    expect(() => groupSeeds(clash, { by: ['m', 'k'], values: ['v'] })).toThrow(/collide in danfojs's groupby/);
    expect(groupSeeds([], { by: ['m'], values: ['v'] })).toEqual([]);
  });
});

describe('pivotWide', () => {
  it('one row per method, one column per x (ascending), empty where a combination is missing', () => {
    const agg: Row[] = [
      { method: 'SeqPE', length: 512, ppl: '30.00' },
      { method: 'SeqPE', length: 128, ppl: '12.00 ± 1.63' },
      { method: 'RoPE', length: 128, ppl: '21.50 ± 1.50' },
    ];
    expect(pivotWide(agg, { index: 'method', columns: 'length', value: 'ppl', label: (x) => `${x} (${x / 128}×)` })).toEqual([
      { method: 'SeqPE', '128 (1×)': '12.00 ± 1.63', '512 (4×)': '30.00' },
      { method: 'RoPE', '128 (1×)': '21.50 ± 1.50', '512 (4×)': undefined },
    ]);
    expect(() => pivotWide([...agg, agg[0]], { index: 'method', columns: 'length', value: 'ppl' })).toThrow(/two rows for method "SeqPE" at length 512; aggregate first/);
    expect(() => pivotWide([{ method: 'a', length: '1', ppl: 1 }], { index: 'method', columns: 'length', value: 'ppl' })).toThrow(/expected a number/);
    expect(() => pivotWide(agg, { index: 'method', columns: 'length', value: 'ppl', label: () => 'same' })).toThrow(/not distinct/);
  });
});
