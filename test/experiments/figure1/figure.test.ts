import { describe, expect, it } from 'vitest';
import { ContrastiveSampler } from '../../../src/positions/contrastive-sampler';
import { toDigits } from '../../../src/positions/digits';
import { TransferSampler } from '../../../src/positions/transfer-sampler';
import { architectureContent, architectureFigure, type ArchitectureOptions } from '../../../src/experiments/figure1';
import { assertFigure, type Figure } from '../../../src/report/figure';

type Item = Record<string, unknown>;

const plain = (s: unknown): string => String(s).replace(/<[^>]+>/g, '');

function annotations(fig: Figure): Item[] {
  return (fig.layout.annotations as Item[] | undefined) ?? [];
}

function shapes(fig: Figure): Item[] {
  return (fig.layout.shapes as Item[] | undefined) ?? [];
}

/** The plain text of the one annotation called `name` (throws if missing or duplicated). */
function textOf(fig: Figure, name: string): string {
  const hits = annotations(fig).filter((a) => a.name === name);
  if (hits.length !== 1) throw new Error(`expected one annotation '${name}', found ${hits.length}`);
  return plain(hits[0].text);
}

function shapeOf(fig: Figure, name: string): { x0: number; x1: number; y0: number; y1: number } {
  const hits = shapes(fig).filter((s) => s.name === name);
  if (hits.length !== 1) throw new Error(`expected one shape '${name}', found ${hits.length}`);
  return hits[0] as unknown as { x0: number; x1: number; y0: number; y1: number };
}

/** Symbols of the Seq Token row, read back from the figure: T"d" → "d". */
function tokenSymbols(fig: Figure): string[] {
  const out: string[] = [];
  for (let i = 0; ; i++) {
    const a = annotations(fig).find((x) => x.name === `digit-token-${i}`);
    if (!a) return out;
    const m = /^T"(\d+)"$/.exec(plain(a.text));
    if (!m) throw new Error(`digit-token-${i} reads '${plain(a.text)}'; expected T"d"`);
    out.push(m[1]);
  }
}

function rowOf(fig: Figure, prefix: string, letter: string): number[] {
  const out: number[] = [];
  for (let i = 0; ; i++) {
    const a = annotations(fig).find((x) => x.name === `${prefix}-${i}`);
    if (!a) return out;
    const m = new RegExp(`^${letter}(\\d+)$`).exec(plain(a.text));
    if (!m) throw new Error(`${prefix}-${i} reads '${plain(a.text)}'`);
    out.push(Number(m[1]));
  }
}

/** "(12, 7)" or "e12,7" → [12, 7]. */
function coordsIn(text: string): number[] {
  const m = /\(?(\d+),\s*(\d+)\)?\s*$/.exec(text);
  if (!m) throw new Error(`no (row, col) in '${text}'`);
  return [Number(m[1]), Number(m[2])];
}

describe('architectureFigure: the encoder panel shows the library digits', () => {
  // Expected digit strings worked out by hand (base conversion, left padding per axis).
  const cases: { opts: ArchitectureOptions; hand: string[] }[] = [
    { opts: {}, hand: ['0', '2', '0', '3'] }, // the paper's (2, 3) on a 4×4 grid
    { opts: { grid: 14, position: [12, 7] }, hand: ['1', '2', '0', '7'] },
    { opts: { grid: 4, position: [2, 3], base: 2 }, hand: ['1', '0', '1', '1'] }, // 2 = 10₂, 3 = 11₂
    { opts: { grid: 10, position: [5, 9], digits: 3 }, hand: ['0', '0', '5', '0', '0', '9'] },
    { opts: { grid: 16, position: [15, 10], digits: 1, base: 16 }, hand: ['15', '10'] },
    { opts: { grid: 9, position: [8, 4], digits: 2, base: 3 }, hand: ['2', '2', '1', '1'] }, // 8 = 22₃, 4 = 11₃
  ];

  for (const { opts, hand } of cases) {
    it(`position ${JSON.stringify(opts.position ?? [2, 3])} base ${opts.base ?? 10} → ${hand.join(' ')}`, () => {
      const fig = architectureFigure(opts);
      const digits = opts.digits ?? 2;
      const spec = { dims: 2, digits, base: opts.base ?? 10 };
      const shown = tokenSymbols(fig);
      expect(shown).toEqual(hand);
      expect(shown).toEqual(toDigits(opts.position ?? [2, 3], spec).map(String));
      // The raw digit labels under the token row say the same.
      hand.forEach((d, i) => expect(textOf(fig, `digit-${i}`)).toBe(`"${d}"`));
      // Seq Pos: 0..2·digits−1, NOT reset per axis (the code's convention); Data Dim: digits × 0 then digits × 1.
      const L = 2 * digits;
      expect(rowOf(fig, 'seq-pos', 'O')).toEqual(Array.from({ length: L }, (_, i) => i));
      expect(rowOf(fig, 'data-dim', 'D')).toEqual(Array.from({ length: L }, (_, i) => (i < digits ? 0 : 1)));
    });
  }

  it('appends [CLS] after the last digit and notes the paper\'s O0 O1 O0 O1 labelling', () => {
    const fig = architectureFigure();
    const cls = annotations(fig).find((a) => a.name === 'cls-token')!;
    expect(plain(cls.text)).toBe('T[CLS]');
    const digitXs = annotations(fig).filter((a) => /^digit-token-\d+$/.test(String(a.name))).map((a) => a.x as number);
    expect(digitXs).toHaveLength(4);
    expect(cls.x as number).toBeGreaterThan(Math.max(...digitXs));
    // Digit columns run left to right in sequence order.
    expect([...digitXs].sort((a, b) => a - b)).toEqual(digitXs);
    expect(textOf(fig, 'caption-2')).toContain('O0 O1 O0 O1');
    expect(textOf(fig, 'encoder-output')).toBe('e2,3');
  });
});

describe('architectureFigure: the patch grid', () => {
  const cases: [number, [number, number]][] = [[4, [2, 3]], [4, [0, 0]], [4, [3, 3]], [14, [12, 7]], [7, [6, 0]], [1, [0, 0]]];
  for (const [grid, [r, c]] of cases) {
    it(`highlights cell (${r}, ${c}) of a ${grid}×${grid} grid`, () => {
      const fig = architectureFigure({ grid, position: [r, c] });
      const frame = shapeOf(fig, 'grid-frame');
      const hl = shapeOf(fig, 'patch-highlight');
      const cell = (frame.x1 - frame.x0) / grid;
      expect(frame.y1 - frame.y0).toBeCloseTo(grid * cell, 9); // square cells
      // Column c from the left, row r from the TOP (image convention; y grows upwards on the canvas).
      expect(hl.x0).toBeCloseTo(frame.x0 + c * cell, 9);
      expect(hl.x1).toBeCloseTo(frame.x0 + (c + 1) * cell, 9);
      expect(hl.y1).toBeCloseTo(frame.y1 - r * cell, 9);
      expect(hl.y0).toBeCloseTo(frame.y1 - (r + 1) * cell, 9);
      // The embedding row holds e(r,c), and the encoder's output arrow lands on it.
      const pe = shapeOf(fig, `pe-box-${r}-${c}`);
      expect(textOf(fig, `pe-${r}-${c}`)).toBe(`e${r},${c}`);
      const heads = annotations(fig).filter((a) => a.showarrow === true && a.ay !== undefined
        && Math.abs((a.x as number) - (pe.x0 + pe.x1) / 2) < 1e-9 && Math.abs((a.y as number) - pe.y0) < 1e-9);
      expect(heads).toHaveLength(1);
    });
  }

  it('lists e(0,0), e(0,1), an ellipsis, e(r,c) in row-major order', () => {
    const k = architectureContent({ grid: 4, position: [2, 3] });
    expect(k.peRow).toEqual([[0, 0], [0, 1], null, [2, 3], null]);
    expect(architectureContent({ grid: 4, position: [0, 2] }).peRow).toEqual([[0, 0], [0, 1], [0, 2], null]);
    expect(architectureContent({ grid: 4, position: [3, 3] }).peRow).toEqual([[0, 0], [0, 1], null, [3, 3]]);
  });
});

describe('architectureFigure: L_δ shows a real ContrastiveSampler draw', () => {
  for (const seed of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]) {
    it(`seed ${seed}: the ticked candidate is the nearest by squared distance`, () => {
      const fig = architectureFigure({ seed });
      const pivot = coordsIn(textOf(fig, 'pivot'));
      const listed = annotations(fig)
        .filter((a) => /^candidate-\d+$/.test(String(a.name)))
        .map((a) => ({ i: Number(String(a.name).split('-')[1]), pos: coordsIn(plain(a.text)) }));
      expect(listed.length).toBeGreaterThanOrEqual(4);
      let ticked = -1;
      for (const { i, pos } of listed) {
        expect(plain(annotations(fig).find((a) => a.name === `candidate-${i}`)!.text)).toMatch(new RegExp(`^c${i} = `));
        const d = (pos[0] - pivot[0]) ** 2 + (pos[1] - pivot[1]) ** 2; // by hand, not via the library
        expect(Number(textOf(fig, `candidate-${i}-sqdist`))).toBe(d);
        const tick = annotations(fig).some((a) => a.name === `candidate-${i}-tick` && plain(a.text) === '✓');
        const cross = annotations(fig).some((a) => a.name === `candidate-${i}-cross` && plain(a.text) === '✗');
        expect(tick !== cross).toBe(true);
        if (tick) {
          expect(ticked).toBe(-1);
          ticked = i;
        }
      }
      expect(ticked).toBeGreaterThanOrEqual(0);
      const dist = (p: number[]): number => (p[0] - pivot[0]) ** 2 + (p[1] - pivot[1]) ** 2;
      const shownDists = listed.map((l) => dist(l.pos));
      expect(dist(listed.find((l) => l.i === ticked)!.pos)).toBe(Math.min(...shownDists));

      // The same sampler, same seed: the figure shows its first pivot, its candidates by index, and the tick sits on the
      // first argmin over ALL candidates (recomputed here with a plain loop).
      const draw = new ContrastiveSampler({ dims: 2, maxPosition: 10000, seed }).nextBatch().details[0];
      expect(pivot).toEqual(draw.pivot);
      for (const { i, pos } of listed) expect(pos).toEqual(draw.candidates[i]);
      let best = 0;
      for (let i = 1; i < draw.candidates.length; i++) if (dist(draw.candidates[i]) < dist(draw.candidates[best])) best = i;
      expect(ticked).toBe(best);
      expect(listed.slice(0, 4).map((l) => l.i)).toEqual([0, 1, 2, 3]);

      // The inset plots every candidate once (x = col, y = row) and the pivot.
      const trace = (name: string) => fig.data.find((t) => t.name === name)!;
      const pts = [...trace('candidates').x!.map((x, j) => [trace('candidates').y![j], x]), [trace('nearest').y![0], trace('nearest').x![0]]];
      expect(pts).toHaveLength(draw.candidates.length);
      expect(new Set(pts.map((p) => p.join(',')))).toEqual(new Set(draw.candidates.map((p) => p.join(','))));
      expect([trace('nearest').y![0], trace('nearest').x![0]]).toEqual(draw.candidates[best]);
      expect([trace('pivot').y![0], trace('pivot').x![0]]).toEqual(pivot);
    });
  }
});

describe('architectureFigure: L_OOD shows a real TransferSampler draw', () => {
  for (const [seed, trainSide] of [[0, 14], [3, 14], [11, 8]] as const) {
    it(`seed ${seed}, train grid ${trainSide}: student = teacher + offset`, () => {
      const fig = architectureFigure({ seed, trainSide });
      const offset = coordsIn(textOf(fig, 'transfer-offset'));
      const b = new TransferSampler({ dims: 2, maxPosition: 10000, seed, trainRows: trainSide, trainCols: trainSide }).nextBatch();
      expect(offset).toEqual(b.offsets[0]);
      // Out of distribution: the offset leaves the training grid along at least one axis.
      expect(offset[0] >= trainSide || offset[1] >= trainSide).toBe(true);
      let n = 0;
      for (; annotations(fig).some((a) => a.name === `teacher-${n}`); n++) {
        const t = coordsIn(textOf(fig, `teacher-${n}`));
        const s = coordsIn(textOf(fig, `student-${n}`));
        expect(s).toEqual([t[0] + offset[0], t[1] + offset[1]]);
        expect(t[0]).toBeLessThan(trainSide);
        expect(t[1]).toBeLessThan(trainSide);
        expect(t).toEqual(b.teacherPositions[0][n]);
      }
      expect(n).toBe(4);
      // The inset: all 64 pairs, students = teachers shifted.
      const T = fig.data.find((t) => t.name === 'teachers')!;
      const S = fig.data.find((t) => t.name === 'students')!;
      expect(T.x).toHaveLength(64);
      T.x!.forEach((x, j) => {
        expect(S.x![j]).toBe((x as number) + offset[1]);
        expect(S.y![j]).toBe((T.y![j] as number) + offset[0]);
      });
    });
  }
});

describe('architectureFigure: determinism and validation', () => {
  it('is a pure function of its options', () => {
    const a = architectureFigure({ seed: 4 });
    assertFigure(a);
    expect(JSON.stringify(architectureFigure({ seed: 4 }))).toBe(JSON.stringify(a));
    expect(textOf(architectureFigure({ seed: 5 }), 'pivot')).not.toBe(textOf(a, 'pivot'));
    expect(a.layout.width).toBe(1400);
    expect(a.layout.height).toBe(700);
  });

  it('rejects a position outside the grid', () => {
    expect(() => architectureFigure({ grid: 4, position: [4, 0] })).toThrow(/position \[4,0\] is outside the 4×4 patch grid.*row 4/);
    expect(() => architectureFigure({ grid: 4, position: [1, 7] })).toThrow(/outside the 4×4 patch grid.*col 7/);
    expect(() => architectureFigure({ position: [-1, 2] })).toThrow(/outside.*row -1/);
    expect(() => architectureFigure({ position: [1.5, 2] })).toThrow(/outside.*row 1\.5/);
    expect(() => architectureFigure({ position: [1, 2, 3] as unknown as [number, number] })).toThrow(/expected \[row, col\]/);
  });

  it('rejects too few digits for the grid', () => {
    expect(() => architectureFigure({ grid: 14, position: [12, 7], digits: 1 })).toThrow(/digits = 1 is too few for a 14×14 grid in base 10: coordinate 13 needs 2/);
    expect(() => architectureFigure({ grid: 5, position: [1, 1], base: 2 })).toThrow(/digits = 2 is too few for a 5×5 grid in base 2: coordinate 4 needs 3/);
    // The boundary: a 10×10 grid fits in 1 decimal digit, an 11×11 one does not.
    expect(() => architectureFigure({ grid: 10, position: [9, 9], digits: 1 })).not.toThrow();
    expect(() => architectureFigure({ grid: 11, position: [9, 9], digits: 1 })).toThrow(/too few/);
  });

  it('rejects other bad options with the value named', () => {
    expect(() => architectureFigure({ grid: 0 })).toThrow(/architectureFigure: grid must be an integer in \[1, 64\], got 0/);
    expect(() => architectureFigure({ grid: 2.5 })).toThrow(/architectureFigure: grid must be an integer in \[1, 64\], got 2\.5/);
    expect(() => architectureFigure({ base: 1 })).toThrow(/architectureFigure: base must be an integer ≥ 2, got 1/);
    expect(() => architectureFigure({ digits: 0 })).toThrow(/architectureFigure: digits must be an integer ≥ 1, got 0/);
    expect(() => architectureFigure({ digits: 5 })).toThrow(/10 digit tokens; the figure draws at most 8/);
    expect(() => architectureFigure({ seed: -1 })).toThrow(/architectureFigure: seed must be an integer ≥ 0, got -1/);
    expect(() => architectureFigure({ trainSide: 100 })).toThrow(/architectureFigure: trainSide must be an integer in \[1, 99\], got 100/);
  });
});
