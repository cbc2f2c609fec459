// Source of 01-positions-as-symbol-sequences.ipynb (percent format). Build: npx tsx scripts/make-notebook.ts notebooks/01-positions-as-symbol-sequences.nb.ts

// %% [markdown]
// # 1. Positions as symbol sequences
//
// A Transformer needs to be told where each token is. The classic answers either look the position up in a
// table (learned absolute embeddings: one row per position, so a position beyond the table has no row) or compute a
// fixed function of it (sinusoids, rotations, biases). SeqPE takes a third route: it **writes the position down as
// text** and lets a small sequence model read it.
//
// > "SeqPE converts the (2, 3) position to a left-padded sequence ("0", "2", "0", "3") and learn[s] its representation by
// > a sequential position encoder." — caption of Fig. 1, Li et al. 2025
//
// Written this way, every position has a representation — position 19 999 is just as writable as position 5, and a
// 2-D patch position is simply two numbers written one after the other. The vocabulary is tiny (the digits), so every
// symbol the encoder sees at test time was seen in training, even for a position that was not.
//
// This chapter is only about the writing: how many digits, how the padding works, what ids the encoder receives besides
// the digits, and what happens with inputs that cannot be written. Everything below calls `src/positions/digits.ts`;
// nothing here needs TensorFlow. The encoder that reads these sequences is the subject of chapter 2.
//
// **Run time:** about 5 min (275 s measured 2026-12-02 at the `small` profile by `npm run notebooks` on this project's machine: 2 cores of an AMD EPYC, wasm engine, shared with a running reproduction; less on an idle machine).

// %%
import {
  specFor, digitCount, axisSize, capacity, toDigits, fromDigits, encodeBatch, digitPositionIds, dimensionIds,
  DigitSpec, showTable, showMarkdown, heatmap, lineChart, multiPanel, Figure, closeRenderer, startChapter,
} from './src/index';

const { showAndSave } = await startChapter({ committed: 'small' });

// %% [markdown]
// ## One dimension: 123 → `0 0 1 2 3`
//
// A **digit spec** says how to write: `dims` (number of coordinates), `digits` per coordinate, and the `base`.
// `specFor(maxPosition)` derives it from the largest position we want to be able to write — exclusive, as in the
// official code (`len(str(max_position − 1))`). The paper's language models use `maxPosition = 20 000`, so every 1-D
// position is written with 5 decimal digits; shorter numbers are **left-padded with the digit 0**.

// %%
const spec1d = specFor(20000);
console.log('spec for positions < 20000:', JSON.stringify(spec1d));
for (const p of [0, 7, 123, 4096, 19999]) console.log(`${String(p).padStart(5)} → ${toDigits(p, spec1d).join(' ')}`);

// %% [markdown]
// ## Why pad on the left: place values stay in their slots
//
// The encoder sees the digits as tokens in slots 0, 1, 2, … and learns one embedding per slot. If numbers were written
// without padding, slot 0 would hold the units digit of `7`, the tens digit of `42` and the thousands digit of `4567`:
// the same slot embedding would have to mean different things. Left-padding to a fixed length puts the units digit
// always in the last slot, the tens digit always in the one before, and so on. The paper's caption says the padded `0`s
// are there so that "digits with the same place value (e.g., units, tens) always occupy" the same positions.
//
// The table computes, for a few numbers, what the first token means with and without padding.

// %%
const placeName = (power: number) => ['units', 'tens', 'hundreds', 'thousands', 'ten-thousands'][power];
const alignRows = [7, 42, 123, 4567, 19999].map((p) => {
  const plain = String(p).split('').map(Number);
  const padded = toDigits(p, spec1d);
  return {
    position: p,
    'unpadded tokens': plain.join(' '),
    'unpadded: slot 0 holds': placeName(plain.length - 1),
    'left-padded tokens': padded.join(' '),
    'padded: slot 0 holds': placeName(spec1d.digits - 1),
    'padded: slot 4 holds': placeName(0),
  };
});
showTable(alignRows, { caption: 'What a slot means, with and without left padding (5 digits, base 10)' });

// %% [markdown]
// The pad symbol is the digit `0` itself: there is no separate "blank" token. The released configurations also do not
// mask the pads in the encoder's attention (`maskPadding` defaults to `false`), so `00123` is read exactly like any
// other five-digit string. A **pad mask** is still computed — 1 for a real digit, 0 for a leading pad; the units digit
// is always real, so position 0 is written `0 0 0 0 0` with mask `0 0 0 0 1`. `encodeBatch` turns a list of positions
// into the flat `Int32Array` of ids `[count, seqLen]` and the mask of the same shape that the encoder consumes.

// %%
const batch1d = encodeBatch([0, 7, 123, 19999], spec1d);
console.log(`encodeBatch: count=${batch1d.count}, seqLen=${batch1d.seqLen}, ids is ${batch1d.ids.constructor.name}[${batch1d.ids.length}]`);
showTable(
  Array.from({ length: batch1d.count }, (_, r) => ({
    position: [0, 7, 123, 19999][r],
    ids: Array.from(batch1d.ids.subarray(r * batch1d.seqLen, (r + 1) * batch1d.seqLen)).join(' '),
    'pad mask': Array.from(batch1d.mask.subarray(r * batch1d.seqLen, (r + 1) * batch1d.seqLen)).join(' '),
    'real digits': batch1d.mask.subarray(r * batch1d.seqLen, (r + 1) * batch1d.seqLen).reduce((a, b) => a + b, 0),
  })),
  { caption: 'A batch of 1-D positions as the encoder receives it' },
);

// %% [markdown]
// ## Two dimensions: (2, 3) → `0 2 0 3`, the paper's Fig. 1
//
// For an image, a patch position is (row, column). Each coordinate is written separately with the same number of digits
// and the pieces are concatenated in coordinate order. For n-D data `maxPosition` counts **all cells** of the grid, and
// each axis gets ⌊maxPosition^(1/n)⌋ positions: the paper's ViT uses 10 000 cells, i.e. 100 × 100, hence 2 digits per
// axis and 4 tokens per patch.
//
// Besides the digits, the encoder receives two id sequences that do not depend on the position's value:
//
// * the **digit-position ids** `0, 1, …, dims·digits − 1`: which slot a token sits in. The official code numbers the
//   slots straight through (`0 1 2 3` for 2-D), although Fig. 1 draws them restarting per dimension (`O₀ O₁ O₀ O₁`);
//   this project follows the code, so that weights could be exchanged with it.
// * the **dimension ids**: which coordinate a token belongs to (`D₀ D₀ D₁ D₁` in Fig. 1). 1-D encoders have no
//   dimension embedding at all.

// %%
const spec2d = specFor(10000, 2);
console.log('2-D spec for 10 000 cells:', JSON.stringify(spec2d), `(axis size ${axisSize(10000, 2)})`);
const fig1 = toDigits([2, 3], spec2d);
console.log('(2, 3) →', fig1.join(' '));
if (fig1.join(' ') !== '0 2 0 3') throw new Error('the Fig. 1 example does not come out as 0 2 0 3');
const b2 = encodeBatch([[2, 3]], spec2d);
showTable(
  digitPositionIds(spec2d).map((slot) => ({
    slot,
    'digit (token)': fig1[slot],
    'digit-position id (code)': slot,
    'Fig. 1 draws': `O${slot % spec2d.digits}`,
    'dimension id': `D${dimensionIds(spec2d)[slot]}`,
    'pad mask': b2.mask[slot],
  })),
  { caption: 'The encoder inputs for patch (2, 3) of a 100 × 100 grid' },
);

// %% [markdown]
// ## n dimensions
//
// Nothing above is special to two coordinates. A 3-D position (say a video patch: frame, row, column) with a budget of
// 1 000 000 cells gets 100 positions and 2 digits per axis, 6 tokens in all. The same function writes it; the dimension
// ids now run over three values.

// %%
const spec3d = specFor(1_000_000, 3);
const p3 = [4, 17, 9];
console.log('3-D spec:', JSON.stringify(spec3d));
console.log(`(${p3.join(', ')}) → ${toDigits(p3, spec3d).join(' ')}`);
console.log('digit-position ids:', digitPositionIds(spec3d).join(' '));
console.log('dimension ids:     ', dimensionIds(spec3d).join(' '));
console.log('back again:        ', JSON.stringify(fromDigits(toDigits(p3, spec3d), spec3d)));

// %% [markdown]
// ## Other bases and the digit budget
//
// The paper writes positions in base 10 (its vocabulary is `nn.Embedding(10, d)`); its code notes that other bases
// would work. The base trades **sequence length** against **vocabulary size**: base 2 needs about log₂ N tokens for N
// positions with a 2-symbol vocabulary, base 16 about log₁₆ N tokens with 16 symbols. `digitCount(N, base)` is the
// smallest k with base^k ≥ N.

// %%
const bases = [2, 10, 16];
const specs = Object.fromEntries(bases.map((b) => [b, specFor(20000, 1, b)])) as Record<number, DigitSpec>;
const basePositions = [0, 5, 42, 255, 1000, 4096, 19999];
showTable(
  basePositions.map((p) => ({
    position: p,
    ...Object.fromEntries(bases.map((b) => [`base ${b} (${specs[b].digits} digits)`, toDigits(p, specs[b]).map((d) => d.toString(b)).join(' ')])),
  })),
  { caption: 'The same positions written for maxPosition = 20 000 in three bases (digits shown in their base)' },
);

// %% [markdown]
// Every sequence is a faithful code: writing then reading back returns the position, and distinct positions give
// distinct sequences. We check that for every position below 20 000 in each base (a few hundred milliseconds).

// %%
const roundTrip = bases.map((b) => {
  const s = specs[b];
  const seen = new Set<string>();
  let ok = 0;
  for (let p = 0; p < 20000; p++) {
    const ds = toDigits(p, s);
    if (fromDigits(ds, s)[0] === p) ok++;
    seen.add(ds.join(','));
  }
  return { base: b, digits: s.digits, 'tokens read (+CLS)': s.digits + 1, capacity: capacity(s), 'round-trips': ok, 'distinct sequences': seen.size };
});
showTable(roundTrip, { caption: 'All 20 000 positions, written and read back' });
if (roundTrip.some((r) => r['round-trips'] !== 20000 || r['distinct sequences'] !== 20000)) throw new Error('a position did not round-trip');

// %% [markdown]
// ### Figures: what the digit sequences look like, and how long they get
//
// First figure: each column is a position 0..255, each row a slot, the colour the digit in it (divided by base − 1 so
// the three bases share one colour scale). The last slot (the units) changes fastest; the leading slots stay at the pad
// value 0 for small positions, and the same slot always changes at the same rate — that is the alignment left-padding
// buys.

// %%
const gridN = 256;
const gridPanels = bases.map((b) => {
  const s = specFor(gridN, 1, b);
  const z = Array.from({ length: s.digits }, (_, slot) => Array.from({ length: gridN }, (_, p) => toDigits(p, s)[slot] / (b - 1)));
  return heatmap({
    z,
    x: Array.from({ length: gridN }, (_, p) => p),
    y: Array.from({ length: s.digits }, (_, slot) => `slot ${slot}`),
    colorscale: 'Viridis',
    zmin: 0,
    zmax: 1,
    square: false,
    xTitle: 'position',
    colorbarTitle: 'digit ÷ (base − 1)',
  });
});
const gridFigure = multiPanel(gridPanels, {
  columns: 1,
  titles: bases.map((b) => `base ${b}: ${specFor(gridN, 1, b).digits} slots for positions 0..${gridN - 1}`),
  vgap: 0.2,
});
// One colour bar for all three panels (they share the 0..1 scale).
gridFigure.data.forEach((t, i) => {
  if (i === 0) t.colorbar = { ...(t.colorbar as object), y: 0.5, len: 1 };
  else t.showscale = false;
});
await showAndSave(gridFigure, '01-digit-grid', { width: 900, height: 680 });

// %% [markdown]
// Second figure: the number of digit tokens needed to write every position below N, per base. It is a staircase that
// steps up each time N passes a power of the base (the step points are computed exactly: N = base^k + 1), so the
// encoder's input grows with log N. The encoder reads one more token, the CLS.

// %%
const maxN = 1_000_000;
const budgetSeries = bases.map((b) => {
  const xs = [2];
  for (let v = b; v + 1 <= maxN; v *= b) if (v + 1 > 2) xs.push(v + 1); // N = b^k + 1 is the first range needing k+1 digits
  xs.push(maxN);
  return { name: `base ${b}`, x: xs, y: xs.map((n) => digitCount(n, b)) };
});
const budgetFigure = lineChart({
  series: budgetSeries,
  xTitle: 'positions to write, N (exclusive)',
  yTitle: 'digit tokens per position',
  log2X: true, // a log x axis (annotations are placed for a log scale) …
  vlines: [{ x: 20000, label: 'LM: 20 000 → 5 decimal digits' }],
});
budgetFigure.layout.xaxis = { type: 'log', title: { text: 'positions to write, N (exclusive)' } }; // … with plotly's decade ticks
budgetFigure.data.forEach((t) => (t.line = { ...(t.line as object), shape: 'hv' }));
await showAndSave(budgetFigure, '01-digit-budget', { width: 800, height: 420 });

// %% [markdown]
// ## Bad inputs fail loudly
//
// A position that cannot be written is a bug in the caller, so the library throws an error that names the value and
// says what was expected — it never clamps, rounds or wraps silently. Each case below is run and its message printed.

// %%
const badCases: Array<[string, () => unknown]> = [
  ['negative position', () => toDigits(-1, spec1d)],
  ['fractional position', () => toDigits(2.5, spec1d)],
  ['NaN', () => toDigits(NaN, spec1d)],
  ['too large for 5 digits', () => toDigits(100000, spec1d)],
  ['2-D position, 1-D spec', () => toDigits([2, 3], spec1d)],
  ['one coordinate too large (2-D)', () => toDigits([2, 300], spec2d)],
  ['mixed dimensionality in a batch', () => encodeBatch([[1, 2], [3, 4, 5]] as number[][], spec2d)],
  ['base 1', () => specFor(100, 1, 1)],
  ['empty range', () => digitCount(0)],
  ['digit outside the base', () => fromDigits([0, 0, 1, 2, 12], spec1d)],
];
const badRows = badCases.map(([what, f]) => {
  try {
    f();
    return { input: what, error: '(no error — unexpected)' };
  } catch (e) {
    return { input: what, error: (e as Error).message };
  }
});
showTable(badRows, { caption: 'Inputs that cannot be written, and what the library says' });
if (badRows.some((r) => r.error.startsWith('(no error'))) throw new Error('a bad input was accepted');

// %% [markdown]
// ## What this shows
//
// The numbers below are computed from the library, not typed in.

// %%
const tokens1d = spec1d.dims * spec1d.digits;
const tokens2d = spec2d.dims * spec2d.digits;
showMarkdown(
  [
    `* A 1-D position below 20 000 is ${tokens1d} digit tokens (+1 CLS) in base 10; the same range needs ` +
      `${specs[2].digits} tokens in base 2 and ${specs[16].digits} in base 16.`,
    `* A 2-D patch position on the paper's 100 × 100 grid is ${tokens2d} tokens: (2, 3) → \`${fig1.join(' ')}\`, ` +
      `with digit-position ids \`${digitPositionIds(spec2d).join(' ')}\` and dimension ids \`${dimensionIds(spec2d).join(' ')}\`.`,
    `* Writing is exact and reversible: ${roundTrip.map((r) => `${r['round-trips']}/20000`).join(', ')} positions round-trip in bases ` +
      `${bases.join(', ')}, each with ${roundTrip.map((r) => r['distinct sequences']).join('/')} distinct sequences.`,
    `* Going from 20 000 to 1 000 000 positions (50× more) takes ${digitCount(1_000_000)} instead of ${digitCount(20000)} base-10 ` +
      `tokens: the input grows with log N, so the encoder's input stays short as the range grows.`,
    `* ${badRows.length} kinds of bad input were rejected with a message naming the value.`,
  ].join('\n'),
);
await closeRenderer();

// %% [markdown]
// What this chapter does **not** show: that such sequences make *good* position embeddings. A symbolic code guarantees
// that every position has an input the encoder can read; whether the encoder maps nearby positions to similar vectors,
// and whether that survives beyond the positions seen in training, is what the next chapters measure.

// %% [markdown]
// ## Try it
//
// **1. Another base.** How many digits does base 3 need for positions below 20 000? Predict from the rule
// `digitCount(N, base)` = the smallest k with baseᵏ ≥ N (3⁹ = 19 683), then run. Try base 7 or 36 too.
//
// **2. Another grid.** Write patch (12, 7) of a 100 × 100 grid, then of a 1 000 × 1 000 grid (maxPosition = 10⁶).
// Predict the digit strings first.

// %%
{
  const tryBase = 3;
  const predictedDigits = 10; // edit after changing tryBase
  const s = specFor(20000, 1, tryBase);
  console.log(`base ${tryBase}: ${s.digits} digits (you predicted ${predictedDigits}); 19999 → ${toDigits(19999, s).join(' ')}`);
  for (const cells of [10000, 1_000_000]) {
    const s2 = specFor(cells, 2);
    console.log(`(12, 7) on ${axisSize(cells, 2)} × ${axisSize(cells, 2)} → ${toDigits([12, 7], s2).join(' ')}`);
  }
}
