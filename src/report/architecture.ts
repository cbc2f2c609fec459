/**
 * The paper's Fig. 1 (SeqPE's architecture and its two objectives) redrawn as a plotly figure spec, from real data:
 * the digits, digit-position ids and dimension ids come from src/positions/digits.ts, the distance-regularisation
 * example from a real ContrastiveSampler draw and the OOD example from a real TransferSampler draw. Nothing is typed in
 * by hand, so the figure cannot drift from the code it illustrates.
 *
 * The figure is drawn on one hidden axis whose units are 10 px at the default 1400 × 700 size (x ∈ [0, 140],
 * y ∈ [0, 70], y up), with layout shapes (boxes, lines) and annotations (text, arrows); two small inset axes hold the
 * sampled positions as scatter traces. Every shape and annotation that carries data has a `name` (e.g. 'digit-token-2',
 * 'patch-highlight', 'candidate-5-sqdist', 'student-1') so tests and readers can find it.
 *
 * Three panels:
 *   left    the image as a grid × grid patch grid, the chosen patch highlighted, and the main-task Transformer fed with
 *           position embeddings e(0,0), e(0,1), …, e(r,c), …;
 *   middle  the sequential position encoder ℰ: Seq Token / Seq Pos / Data Dim rows, [CLS] last, causal Transformer × 2,
 *           the [CLS] output becoming e(r,c);
 *   right   L_δ (pivot, first candidates, the nearest one ticked, squared distances) and L_OOD (teacher positions,
 *           student = teacher + offset, similarity distributions tied by D_KL).
 */
import { ContrastiveSampler, type ContrastiveMode } from '../positions/contrastive-sampler';
import { dimensionIds, digitPositionIds, specFor, toDigits, type DigitSpec } from '../positions/digits';
import { squaredDistance } from '../positions/distance';
import { TransferSampler } from '../positions/transfer-sampler';
import { PALETTE, type Figure, type Trace } from './figure';

export interface ArchitectureOptions {
  /** Patches per image side (the image is grid × grid patches). Default 4, as in the paper's figure. */
  grid?: number;
  /** The patch (row, col) whose position embedding the encoder panel computes. Default [2, 3], as in the paper. */
  position?: [number, number];
  /** Digits per axis. Default 2 (the ViT setting: a 100 × 100 position space). Must be enough for the grid. */
  digits?: number;
  /** Number base of the digits. Default 10. */
  base?: number;
  /** Seed of the two samplers whose draws fill the right-hand panels. Default 0. */
  seed?: number;
  /** Side of the in-distribution training grid of the transfer (L_OOD) example. Default 14 (224 px / 16 px patches). */
  trainSide?: number;
}

/** Everything the figure shows, computed from the library (exported so notebooks can print it next to the figure). */
export interface ArchitectureContent {
  grid: number;
  position: [number, number];
  spec: DigitSpec;
  /** toDigits(position): the Seq Token row. */
  digits: number[];
  /** digitPositionIds(spec): the Seq Pos row (0..dims·digits−1, not reset per dimension, as in the code). */
  seqPos: number[];
  /** dimensionIds(spec): the Data Dim row. */
  dimIds: number[];
  /** Positions shown in the main-task panel's embedding row, row-major; null = an ellipsis. */
  peRow: ([number, number] | null)[];
  contrastive: {
    seed: number;
    maxPosition: number;
    mode: ContrastiveMode;
    pivot: number[];
    /** All candidates of the pivot (64 by default). */
    candidates: number[][];
    /** Index of the nearest candidate (the sampler's label). */
    label: number;
    /** Indices of the candidates listed in the figure (the first few, then the label if it is not among them). */
    shown: number[];
  };
  transfer: {
    seed: number;
    maxPosition: number;
    trainSide: number;
    offset: number[];
    teachers: number[][];
    students: number[][];
    /** How many teacher → student pairs are listed (the inset shows all of them). */
    shown: number;
  };
}

const MAX_POSITION = 10000; // the ViT setting: a 100 × 100 position space, 2 digits per axis
const SHOWN_CANDIDATES = 4;
const SHOWN_PAIRS = 4;
const MODE_TEXT: Record<ContrastiveMode, string> = {
  none: "mode 'none': uniform",
  hard: "mode 'hard': + look-alikes",
  distributional: "mode 'distributional'",
};
/** More digit tokens than this and the encoder's input rows no longer fit legibly in the middle panel. */
const MAX_TOKENS = 8;
/** Beyond this the patch grid's cells become smaller than a few pixels. */
const MAX_GRID = 64;

const ORANGE = PALETTE[1];
const ORANGE_FILL = '#ffe2c4';
const BLUE = PALETTE[0];
const GREEN = PALETTE[2];
const RED = PALETTE[3];
const PURPLE = PALETTE[4];
const INK = '#222';
const MUTED = '#666';
const FONT = 'DejaVu Sans, Arial, sans-serif';

// ---------------------------------------------------------------------------------------------------------------------
// Content

function checkInt(name: string, v: unknown, min: number, max = Infinity): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    const range = max === Infinity ? `≥ ${min}` : `in [${min}, ${max}]`;
    throw new Error(`architectureFigure: ${name} = ${String(v)}; expected an integer ${range}`);
  }
  return v;
}

/** Positions of the main-task embedding row: e(0,0), e(0,1), …, e(r,c), …, with ellipses for skipped runs. */
function peRowFor(grid: number, r: number, c: number): ([number, number] | null)[] {
  const total = grid * grid;
  const idx = [...new Set([0, 1, r * grid + c].filter((i) => i < total))].sort((a, b) => a - b);
  const out: ([number, number] | null)[] = [];
  idx.forEach((i, k) => {
    if (k > 0 && i !== idx[k - 1] + 1) out.push(null);
    out.push([Math.floor(i / grid), i % grid]);
  });
  if (idx[idx.length - 1] !== total - 1) out.push(null); // the rest of the grid
  return out;
}

/** The numbers behind the figure, validated. */
export function architectureContent(opts: ArchitectureOptions = {}): ArchitectureContent {
  const grid = checkInt('grid', opts.grid ?? 4, 1, MAX_GRID);
  const base = checkInt('base', opts.base ?? 10, 2);
  const digits = checkInt('digits', opts.digits ?? 2, 1);
  const seed = checkInt('seed', opts.seed ?? 0, 0);
  const trainSide = checkInt('trainSide', opts.trainSide ?? 14, 1, 99);
  const position = opts.position ?? [2, 3];
  if (!Array.isArray(position) || position.length !== 2) {
    throw new Error(`architectureFigure: position ${JSON.stringify(position)}; expected [row, col]`);
  }
  position.forEach((v, d) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= grid) {
      throw new Error(
        `architectureFigure: position ${JSON.stringify(position)} is outside the ${grid}×${grid} patch grid ` +
          `(${d === 0 ? 'row' : 'col'} ${String(v)}; expected an integer in [0, ${grid - 1}])`,
      );
    }
  });
  // The fewest digits per axis that can write every coordinate of the grid (specFor counts all grid × grid cells).
  const needed = specFor(grid * grid, 2, base).digits;
  if (digits < needed) {
    throw new Error(
      `architectureFigure: digits = ${digits} is too few for a ${grid}×${grid} grid in base ${base}: ` +
        `coordinate ${grid - 1} needs ${needed} digit(s)`,
    );
  }
  if (2 * digits > MAX_TOKENS) {
    throw new Error(`architectureFigure: digits = ${digits} gives ${2 * digits} digit tokens; the figure draws at most ${MAX_TOKENS} (digits ≤ ${MAX_TOKENS / 2})`);
  }
  const spec: DigitSpec = { dims: 2, digits, base };
  const [r, c] = position;

  const cs = new ContrastiveSampler({ dims: 2, maxPosition: MAX_POSITION, seed });
  const draw = cs.nextBatch().details[0];
  const shown = Array.from({ length: Math.min(SHOWN_CANDIDATES, draw.candidates.length) }, (_, i) => i);
  if (!shown.includes(draw.label)) shown.push(draw.label);

  const ts = new TransferSampler({ dims: 2, maxPosition: MAX_POSITION, seed, trainRows: trainSide, trainCols: trainSide });
  const tb = ts.nextBatch();

  return {
    grid,
    position: [r, c],
    spec,
    digits: toDigits([r, c], spec),
    seqPos: digitPositionIds(spec),
    dimIds: dimensionIds(spec),
    peRow: peRowFor(grid, r, c),
    contrastive: {
      seed,
      maxPosition: MAX_POSITION,
      mode: draw.mode,
      pivot: draw.pivot,
      candidates: draw.candidates,
      label: draw.label,
      shown,
    },
    transfer: {
      seed,
      maxPosition: MAX_POSITION,
      trainSide,
      offset: tb.offsets[0],
      teachers: tb.teacherPositions[0],
      students: tb.studentPositions[0],
      shown: Math.min(SHOWN_PAIRS, tb.teacherPositions[0].length),
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Drawing primitives on the 140 × 70 canvas

type Shape = Record<string, unknown>;
type Annotation = Record<string, unknown>;

interface TextOpts {
  size?: number;
  color?: string;
  anchor?: 'left' | 'center' | 'right';
  vanchor?: 'top' | 'middle' | 'bottom';
  bold?: boolean;
  name?: string;
  angle?: number;
}

class Canvas {
  readonly shapes: Shape[] = [];
  readonly annotations: Annotation[] = [];

  rect(x0: number, y0: number, x1: number, y1: number, o: { fill?: string; line?: string; width?: number; dash?: string; name?: string; below?: boolean } = {}): void {
    this.shapes.push(stripUndef({
      type: 'rect', xref: 'x', yref: 'y', x0, y0, x1, y1, name: o.name,
      fillcolor: o.fill ?? 'rgba(0,0,0,0)',
      line: stripUndef({ color: o.line ?? INK, width: o.width ?? 1, dash: o.dash }),
      layer: o.below ? 'below' : 'above',
    }));
  }

  path(points: [number, number][], o: { color?: string; width?: number; dash?: string; name?: string } = {}): void {
    const d = points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'} ${fmt(x)} ${fmt(y)}`).join(' ');
    this.shapes.push(stripUndef({
      type: 'path', xref: 'x', yref: 'y', path: d, name: o.name,
      line: stripUndef({ color: o.color ?? INK, width: o.width ?? 1.2, dash: o.dash }),
    }));
  }

  text(x: number, y: number, text: string, o: TextOpts = {}): void {
    this.annotations.push(stripUndef({
      xref: 'x', yref: 'y', x, y, text: o.bold ? `<b>${text}</b>` : text, showarrow: false, name: o.name,
      xanchor: o.anchor ?? 'center', yanchor: o.vanchor ?? 'middle', textangle: o.angle,
      font: { family: FONT, size: o.size ?? 13, color: o.color ?? INK },
    }));
  }

  /** An arrow from (x0, y0) to the head at (x1, y1). */
  arrow(x0: number, y0: number, x1: number, y1: number, o: { color?: string; width?: number; name?: string; head?: number } = {}): void {
    this.annotations.push(stripUndef({
      xref: 'x', yref: 'y', axref: 'x', ayref: 'y', x: x1, y: y1, ax: x0, ay: y0, text: '', showarrow: true, name: o.name,
      arrowhead: o.head ?? 2, arrowsize: 1, arrowwidth: o.width ?? 1.3, arrowcolor: o.color ?? INK, standoff: 0, startstandoff: 0,
    }));
  }

  /** A box with centred text. */
  box(x0: number, y0: number, x1: number, y1: number, text: string, o: { fill?: string; line?: string; size?: number; name?: string; textName?: string; color?: string } = {}): void {
    this.rect(x0, y0, x1, y1, { fill: o.fill ?? '#fff', line: o.line, name: o.name });
    this.text((x0 + x1) / 2, (y0 + y1) / 2, text, { size: o.size, name: o.textName, color: o.color });
  }
}

function fmt(v: number): string {
  return String(Math.round(v * 1000) / 1000);
}

function stripUndef<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

const pos = (p: readonly number[]): string => `(${p.join(', ')})`;
const sub = (s: string): string => `<sub>${s}</sub>`;
const e = (p: readonly number[]): string => `e${sub(p.join(','))}`;

// ---------------------------------------------------------------------------------------------------------------------
// Panels

/** Left: the patch grid and the main-task model fed with position embeddings. Returns where e(r,c) sits. */
function drawMainTask(cv: Canvas, k: ArchitectureContent): { peX: number; peBottom: number } {
  const { grid } = k;
  const [r, c] = k.position;
  cv.rect(0.5, 5, 37.5, 68.6, { fill: '#f6f8fb', line: '#c9d3e0', below: true });
  cv.text(19, 66.3, `Main task: ViT on a ${grid}×${grid} patch grid`, { size: 15, bold: true });

  // Main-task model.
  cv.rect(2.5, 54, 36, 61.5, { fill: '#e8eef7', line: INK });
  cv.text(19.25, 59.0, 'Main-task Transformer', { size: 15, bold: true });
  cv.text(19.25, 56.0, 'patch tokens x(r,c) + position embeddings e(r,c)', { size: 11, color: MUTED });

  // Embedding row: boxes and ellipses, laid out left to right from x = 7.5.
  const boxW = 5.6;
  const ellW = 2.4;
  const gap = 0.55;
  const y0 = 44;
  const y1 = 48.5;
  let x = 7.5;
  let peX = NaN;
  for (const p of k.peRow) {
    if (p === null) {
      cv.text(x + ellW / 2, (y0 + y1) / 2, '…', { size: 15, color: MUTED });
      x += ellW + gap;
      continue;
    }
    const chosen = p[0] === r && p[1] === c;
    cv.box(x, y0, x + boxW, y1, e(p), {
      fill: chosen ? ORANGE_FILL : '#fff', line: chosen ? ORANGE : INK, size: 13, name: `pe-box-${p[0]}-${p[1]}`, textName: `pe-${p[0]}-${p[1]}`,
    });
    cv.arrow(x + boxW / 2, y1, x + boxW / 2, 54, { color: MUTED, width: 1.1 });
    if (chosen) peX = x + boxW / 2;
    x += boxW + gap;
  }

  // Patch grid (row 0 at the top, as in an image), the chosen patch highlighted.
  const side = 20;
  const gx0 = 9;
  const gyTop = 32;
  const cell = side / grid;
  cv.rect(gx0, gyTop - side, gx0 + side, gyTop, { fill: '#fff', line: INK, width: 1.2, name: 'grid-frame' });
  for (let i = 1; i < grid; i++) {
    cv.path([[gx0 + i * cell, gyTop - side], [gx0 + i * cell, gyTop]], { color: '#9aa5b1', width: 0.8 });
    cv.path([[gx0, gyTop - i * cell], [gx0 + side, gyTop - i * cell]], { color: '#9aa5b1', width: 0.8 });
  }
  cv.rect(gx0 + c * cell, gyTop - (r + 1) * cell, gx0 + (c + 1) * cell, gyTop - r * cell, {
    fill: ORANGE_FILL, line: ORANGE, width: 2.5, name: 'patch-highlight',
  });
  if (cell >= 4.5) {
    // Room for the coordinates inside the cell (grids up to 4×4).
    cv.text(gx0 + (c + 0.5) * cell, gyTop - (r + 0.5) * cell, pos([r, c]), { size: 12, color: ORANGE, bold: true, name: 'patch-label' });
  }
  // Axis indices: all of them for small grids, the ends and the chosen one otherwise.
  const ticks = grid <= 8 ? Array.from({ length: grid }, (_, i) => i) : [...new Set([0, grid - 1, r, c])];
  for (const i of ticks) {
    if (grid <= 8 || i === 0 || i === grid - 1 || i === r) cv.text(gx0 - 0.6, gyTop - (i + 0.5) * cell, String(i), { size: 11, color: i === r ? ORANGE : MUTED, anchor: 'right' });
    if (grid <= 8 || i === 0 || i === grid - 1 || i === c) cv.text(gx0 + (i + 0.5) * cell, gyTop - side - 0.6, String(i), { size: 11, color: i === c ? ORANGE : MUTED, vanchor: 'top' });
  }
  cv.text(gx0 - 2.6, gyTop - side / 2, 'row', { size: 11, color: MUTED, angle: -90 });
  cv.text(gx0 + side / 2, gyTop - side - 3.2, 'col', { size: 11, color: MUTED });
  cv.text(19, 6.8, `image → ${grid}×${grid} patches; patch ${pos([r, c])} highlighted`, { size: 12, color: INK });

  // Patch tokens enter the main model (route left of the embedding row).
  cv.path([[gx0 + 2, gyTop + 0.3], [gx0 + 2, 34.5], [4.3, 34.5], [4.3, 40]], { color: MUTED, width: 1.3 });
  cv.arrow(4.3, 40, 4.3, 54, { color: MUTED, width: 1.3 });
  cv.text(3.1, 44.5, 'patch tokens', { size: 11, color: MUTED, angle: -90 });
  return { peX, peBottom: y0 };
}

/** Middle: the sequential position encoder ℰ. Returns the left edge and mid-height of its output box. */
function drawEncoder(cv: Canvas, k: ArchitectureContent): { outX: number; outY: number } {
  const n = k.digits.length + 1; // digit tokens + [CLS]
  cv.rect(38.5, 5, 89.5, 68.6, { fill: '#f7f7f2', line: '#d8d8c8', below: true });
  cv.text(64, 66.3, 'Sequential position encoder ℰ', { size: 15, bold: true });

  const xL = 52;
  const xR = 88.5;
  const colW = (xR - xL) / n;
  const boxW = colW * 0.84;
  const cx = (i: number): number => xL + colW * (i + 0.5);
  const fs = n <= 5 ? 14 : n <= 7 ? 12 : 11;

  // Rows, bottom to top: the digits, Seq Token, Seq Pos, Data Dim (all summed), then the Transformer.
  const rows = { digit: 10.2, tok: [13, 16.6], pos: [18.6, 22.2], dim: [24.2, 27.8] } as const;
  cv.text(50.5, rows.digit, 'digits', { size: 12, anchor: 'right', color: MUTED });
  cv.text(50.5, (rows.tok[0] + rows.tok[1]) / 2, 'Seq Token', { size: 13, anchor: 'right' });
  cv.text(50.5, (rows.pos[0] + rows.pos[1]) / 2, 'Seq Pos', { size: 13, anchor: 'right' });
  cv.text(50.5, (rows.dim[0] + rows.dim[1]) / 2, 'Data Dim', { size: 13, anchor: 'right' });

  k.digits.forEach((d, i) => {
    const x = cx(i);
    const h = boxW / 2;
    cv.text(x, rows.digit, `"${d}"`, { size: 14, name: `digit-${i}`, color: k.dimIds[i] === 0 ? BLUE : PURPLE, bold: true });
    cv.arrow(x, rows.digit + 0.9, x, rows.tok[0], { color: MUTED, width: 1 });
    cv.box(x - h, rows.tok[0], x + h, rows.tok[1], `T${sub(`"${d}"`)}`, { size: fs, textName: `digit-token-${i}` });
    cv.text(x, (rows.tok[1] + rows.pos[0]) / 2, '+', { size: 12, color: MUTED });
    cv.box(x - h, rows.pos[0], x + h, rows.pos[1], `O${sub(String(k.seqPos[i]))}`, { size: fs, textName: `seq-pos-${i}`, fill: '#eef6ee' });
    cv.text(x, (rows.pos[1] + rows.dim[0]) / 2, '+', { size: 12, color: MUTED });
    cv.box(x - h, rows.dim[0], x + h, rows.dim[1], `D${sub(String(k.dimIds[i]))}`, { size: fs, textName: `data-dim-${i}`, fill: '#f1ecf7' });
    cv.arrow(x, rows.dim[1], x, 30.5, { color: MUTED, width: 1 });
  });
  // [CLS] is appended last, with no position or dimension embedding.
  const xc = cx(n - 1);
  cv.box(xc - boxW / 2, rows.tok[0], xc + boxW / 2, rows.tok[1], `T${sub('[CLS]')}`, { size: fs - 1, textName: 'cls-token', fill: ORANGE_FILL, line: ORANGE });
  cv.text(xc, (rows.pos[0] + rows.dim[1]) / 2, 'no pos,<br>no dim', { size: 10, color: MUTED });
  cv.arrow(xc, rows.tok[1], xc, 30.5, { color: ORANGE, width: 1 });

  // Digits grouped by axis.
  const per = k.spec.digits;
  cv.path([[cx(0) - boxW / 2, 8.4], [cx(per - 1) + boxW / 2, 8.4]], { color: BLUE, width: 1.2 });
  cv.path([[cx(per) - boxW / 2, 8.4], [cx(2 * per - 1) + boxW / 2, 8.4]], { color: PURPLE, width: 1.2 });
  cv.text((cx(0) + cx(per - 1)) / 2, 7.2, `row ${k.position[0]}`, { size: 11, color: BLUE });
  cv.text((cx(per) + cx(2 * per - 1)) / 2, 7.2, `col ${k.position[1]}`, { size: 11, color: PURPLE });

  // The Transformer, with its causal mask sketched at the right.
  cv.rect(xL, 30.5, xR, 41.5, { fill: '#fffbe6', line: INK, width: 1.2 });
  cv.text(xL + 14, 37.6, `causal Transformer × 2`, { size: 15, bold: true });
  cv.text(xL + 14, 34.3, 'pre-LN blocks; [CLS] is last,<br>so it attends to every digit', { size: 11, color: MUTED });
  const m = n;
  const mc = 7.5 / m;
  const mx0 = xR - 2 - m * mc;
  const my0 = 32;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      cv.rect(mx0 + j * mc, my0 + (m - 1 - i) * mc, mx0 + (j + 1) * mc, my0 + (m - i) * mc, {
        fill: j <= i ? '#8c8c8c' : '#fff', line: '#bbb', width: 0.5,
      });
    }
  }
  cv.text(mx0 - 0.6, my0 + (m * mc) / 2, 'mask', { size: 10, color: MUTED, anchor: 'right' });

  // [CLS] output → LayerNorm → Linear → e(r,c).
  const outY0 = 45.5;
  const outY1 = 50;
  cv.arrow(xc, 41.5, xc, outY0, { color: ORANGE, width: 1.6 });
  const ow = 8;
  cv.box(xc - ow / 2, outY0, xc + ow / 2, outY1, e(k.position), { fill: ORANGE_FILL, line: ORANGE, size: 14, textName: 'encoder-output' });
  cv.text(xc - 1, (41.5 + outY0) / 2, '[CLS] state → LayerNorm → Linear', { size: 11, color: MUTED, anchor: 'right' });
  cv.text(64, 61.5, `ℰ reads the position ${pos(k.position)} as a sequence of digits`, { size: 13 });
  cv.text(64, 59.2, `${per} base-${k.spec.base} digit${per > 1 ? 's' : ''} per axis, left-padded with "0"; [CLS] appended last`, { size: 12, color: MUTED, name: 'digits-note' });
  return { outX: xc - ow / 2, outY: (outY0 + outY1) / 2 };
}

/** Top right: the distance regularisation L_δ on a real ContrastiveSampler draw. */
function drawDistance(cv: Canvas, k: ArchitectureContent, traces: Trace[], layout: Record<string, unknown>): void {
  const ct = k.contrastive;
  cv.rect(90.5, 35, 139.5, 68.6, { fill: '#f4f9f4', line: '#c5dcc5', below: true });
  cv.text(115, 66.3, 'Distance regularisation L<sub>δ</sub>', { size: 15, bold: true });
  cv.text(92, 62.2, `pivot p = ${pos(ct.pivot)}`, { size: 13, anchor: 'left', name: 'pivot', bold: true });
  cv.text(92, 59.9, `${ct.candidates.length} candidates (${MODE_TEXT[ct.mode]})`, { size: 11, anchor: 'left', color: MUTED });
  cv.text(94.2, 57.0, 'candidate c', { size: 11, anchor: 'left', color: MUTED });
  cv.text(113.5, 57.0, '‖p − c‖²', { size: 11, anchor: 'right', color: MUTED });
  let y = 54.8;
  ct.shown.forEach((i, row) => {
    if (row === SHOWN_CANDIDATES && i !== SHOWN_CANDIDATES) {
      cv.text(103, y + 0.3, '⋮', { size: 12, color: MUTED });
      y -= 1.9;
    }
    const nearest = i === ct.label;
    const col = nearest ? GREEN : INK;
    cv.text(92.6, y, nearest ? '✓' : '✗', { size: 13, color: nearest ? GREEN : RED, name: nearest ? `candidate-${i}-tick` : `candidate-${i}-cross`, bold: nearest });
    cv.text(94.2, y, `c${sub(String(i))} = ${pos(ct.candidates[i])}`, { size: 13, anchor: 'left', color: col, name: `candidate-${i}` });
    cv.text(113.5, y, String(squaredDistance(ct.pivot, ct.candidates[i])), { size: 13, anchor: 'right', color: col, name: `candidate-${i}-sqdist` });
    y -= 2.2;
  });
  cv.text(92, 40.6, `✓ nearest of all ${ct.candidates.length} = the positive`, { size: 11, anchor: 'left', color: GREEN });
  cv.text(92, 37.6, 'L<sub>δ</sub> = CE( softmax<sub>c</sub>(e<sub>p</sub>·e<sub>c</sub>), nearest )', { size: 12, anchor: 'left' });

  // Inset: the pivot and all its candidates in the 100 × 100 position space (x = col, y = row, row 0 at the top).
  const axis = Math.round(Math.sqrt(ct.maxPosition));
  inset(layout, 2, [117.5, 138.5], [39, 61], axis);
  const others = ct.candidates.filter((_, i) => i !== ct.label);
  traces.push({
    type: 'scatter', mode: 'markers', name: 'candidates', xaxis: 'x2', yaxis: 'y2', showlegend: false, hoverinfo: 'x+y',
    x: others.map((q) => q[1]), y: others.map((q) => q[0]), marker: { color: '#9a9a9a', size: 4 },
  });
  const best = ct.candidates[ct.label];
  traces.push({
    type: 'scatter', mode: 'lines', name: 'nearest link', xaxis: 'x2', yaxis: 'y2', showlegend: false, hoverinfo: 'skip',
    x: [ct.pivot[1], best[1]], y: [ct.pivot[0], best[0]], line: { color: GREEN, width: 1.5 },
  });
  traces.push({
    type: 'scatter', mode: 'markers', name: 'nearest', xaxis: 'x2', yaxis: 'y2', showlegend: false,
    x: [best[1]], y: [best[0]], marker: { color: GREEN, size: 9, symbol: 'circle' },
  });
  traces.push({
    type: 'scatter', mode: 'markers', name: 'pivot', xaxis: 'x2', yaxis: 'y2', showlegend: false,
    x: [ct.pivot[1]], y: [ct.pivot[0]], marker: { color: INK, size: 12, symbol: 'star' },
  });
  cv.text(128, 62.3, `★ pivot, ● nearest, · others`, { size: 10, color: MUTED });
}

/** Bottom right: the OOD distillation L_OOD on a real TransferSampler draw. */
function drawOod(cv: Canvas, k: ArchitectureContent, traces: Trace[], layout: Record<string, unknown>): void {
  const t = k.transfer;
  cv.rect(90.5, 5, 139.5, 34, { fill: '#f8f4fa', line: '#dccbe6', below: true });
  cv.text(115, 31.8, 'OOD regularisation L<sub>OOD</sub>', { size: 15, bold: true });
  cv.text(92, 28.6, `offset p = ${pos(t.offset)}`, { size: 13, anchor: 'left', bold: true, name: 'transfer-offset' });
  cv.text(92, 26.3, `${t.teachers.length} pairs, train grid ${t.trainSide}×${t.trainSide}`, { size: 11, anchor: 'left', color: MUTED });
  cv.text(92.6, 24, 'teacher', { size: 11, anchor: 'left', color: BLUE });
  cv.text(104, 24, 'student = teacher + p', { size: 11, anchor: 'left', color: PURPLE });
  for (let i = 0; i < t.shown; i++) {
    const y = 21.8 - i * 2.1;
    cv.text(92.6, y, e(t.teachers[i]), { size: 13, anchor: 'left', color: BLUE, name: `teacher-${i}` });
    cv.text(101.6, y, '→', { size: 12, color: MUTED });
    cv.text(104, y, e(t.students[i]), { size: 13, anchor: 'left', color: PURPLE, name: `student-${i}` });
  }
  cv.text(99, 21.8 - t.shown * 2.1 + 0.4, '⋮', { size: 12, color: MUTED });

  // Similarity distributions: one row of each matrix as bars (illustrative shapes), tied by D_KL.
  const tBars = [0.95, 0.55, 0.35, 0.22, 0.3, 0.15];
  const sBars = [0.8, 0.6, 0.3, 0.3, 0.22, 0.2];
  const bars = (x0: number, hs: number[], color: string, label: string): void => {
    hs.forEach((h, i) => cv.rect(x0 + i * 1.05, 6.3, x0 + i * 1.05 + 0.8, 6.3 + h * 4.4, { fill: color, line: color, width: 0.5 }));
    cv.text(x0 + (hs.length * 1.05) / 2 - 0.1, 11.9, label, { size: 12, color });
  };
  bars(92.6, tBars, BLUE, 'P<sub>T</sub>');
  bars(106.8, sBars, PURPLE, 'P<sub>S</sub>');
  cv.arrow(100.6, 8.4, 106.2, 8.4, { color: INK, width: 1.2, head: 2 });
  cv.arrow(106.2, 8.4, 100.6, 8.4, { color: INK, width: 1.2, head: 2 });
  cv.text(103.4, 10.1, '𝔻<sub>KL</sub>', { size: 13 });

  // Inset: teachers inside the training grid, students shifted by the offset.
  const axis = Math.round(Math.sqrt(t.maxPosition));
  inset(layout, 3, [117.5, 138.5], [8, 28.5], axis);
  const s = t.trainSide;
  const shapes = layout.shapes as Shape[];
  shapes.push({ type: 'rect', xref: 'x3', yref: 'y3', x0: -0.5, y0: -0.5, x1: s - 0.5, y1: s - 0.5, line: { color: BLUE, width: 1 }, fillcolor: 'rgba(31,119,180,0.12)', name: 'train-grid' });
  shapes.push({
    type: 'rect', xref: 'x3', yref: 'y3', x0: t.offset[1] - 0.5, y0: t.offset[0] - 0.5, x1: t.offset[1] + s - 0.5, y1: t.offset[0] + s - 0.5,
    line: { color: PURPLE, width: 1, dash: 'dot' }, fillcolor: 'rgba(148,103,189,0.10)', name: 'student-grid',
  });
  traces.push({
    type: 'scatter', mode: 'markers', name: 'teachers', xaxis: 'x3', yaxis: 'y3', showlegend: false,
    x: t.teachers.map((q) => q[1]), y: t.teachers.map((q) => q[0]), marker: { color: BLUE, size: 3.5 },
  });
  traces.push({
    type: 'scatter', mode: 'markers', name: 'students', xaxis: 'x3', yaxis: 'y3', showlegend: false,
    x: t.students.map((q) => q[1]), y: t.students.map((q) => q[0]), marker: { color: PURPLE, size: 3.5 },
  });
  (layout.annotations as Annotation[]).push({
    xref: 'x3', yref: 'y3', axref: 'x3', ayref: 'y3', ax: s / 2, ay: s / 2, x: t.offset[1] + s / 2, y: t.offset[0] + s / 2,
    text: '', showarrow: true, arrowhead: 2, arrowwidth: 1.3, arrowcolor: MUTED, standoff: 2, name: 'offset-arrow',
  });
}

/** Inset axes number `k` over the canvas box [x0, x1] × [y0, y1] (canvas units), showing a side × side position space. */
function inset(layout: Record<string, unknown>, k: number, xs: [number, number], ys: [number, number], side: number): void {
  const tick = { size: 9, color: MUTED };
  layout[`xaxis${k}`] = {
    domain: [xs[0] / 140, xs[1] / 140], anchor: `y${k}`, range: [-3, side + 2], tickvals: [0, 50, side - 1], tickfont: tick,
    showgrid: false, zeroline: false, linecolor: '#bbb', mirror: true, showline: true, fixedrange: true,
    title: { text: 'col', font: { size: 10, color: MUTED }, standoff: 2 },
  };
  layout[`yaxis${k}`] = {
    domain: [ys[0] / 70, ys[1] / 70], anchor: `x${k}`, range: [side + 2, -3], tickvals: [0, 50, side - 1], tickfont: tick,
    showgrid: false, zeroline: false, linecolor: '#bbb', mirror: true, showline: true, fixedrange: true,
    title: { text: 'row', font: { size: 10, color: MUTED }, standoff: 2 },
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// The figure

/**
 * The paper's Fig. 1, recreated from the library's own numbers (see the file comment). Pure: builds a plotly spec,
 * renders nothing. Throws on a position outside the grid, too few digits for the grid, or other bad options.
 */
export function architectureFigure(opts: ArchitectureOptions = {}): Figure {
  const k = architectureContent(opts);
  const cv = new Canvas();
  const traces: Trace[] = [];
  const layout: Record<string, unknown> = {
    width: 1400,
    height: 700,
    margin: { l: 0, r: 0, t: 0, b: 0, pad: 0 },
    paper_bgcolor: '#fff',
    plot_bgcolor: '#fff',
    showlegend: false,
    font: { family: FONT, size: 13 },
    xaxis: { range: [0, 140], visible: false, fixedrange: true, domain: [0, 1] },
    yaxis: { range: [0, 70], visible: false, fixedrange: true, domain: [0, 1] },
    shapes: cv.shapes,
    annotations: cv.annotations,
  };

  const { peX, peBottom } = drawMainTask(cv, k);
  const { outX, outY } = drawEncoder(cv, k);
  // ℰ's output becomes the main model's e(r,c): route left above the encoder's Transformer, down past the row labels,
  // then under the embedding row into e(r,c) from below (going straight left would cross the boxes after it).
  const routeX = 44.5;
  const routeY = 39.5;
  cv.path([[outX, outY], [routeX, outY], [routeX, routeY], [peX, routeY], [peX, routeY + 0.3]], { color: ORANGE, width: 1.8, name: 'encoder-to-main' });
  cv.arrow(peX, routeY, peX, peBottom, { color: ORANGE, width: 1.8 });
  drawDistance(cv, k, traces, layout);
  drawOod(cv, k, traces, layout);

  cv.text(
    70, 2.9,
    `Digits, Seq Pos and Data Dim ids from toDigits / digitPositionIds / dimensionIds; L<sub>δ</sub> and L<sub>OOD</sub> examples are real ` +
      `ContrastiveSampler / TransferSampler draws (2-D, maxPosition ${k.contrastive.maxPosition}, seed ${k.contrastive.seed}).`,
    { size: 11, color: MUTED, name: 'caption-1' },
  );
  cv.text(
    70, 1.2,
    `Seq Pos follows the code: O${sub('0')}…O${sub(String(k.seqPos.length - 1))}, not reset per dimension ` +
      `(the paper's Fig. 1 draws O${sub('0')} O${sub('1')} O${sub('0')} O${sub('1')}). The P<sub>T</sub> / P<sub>S</sub> bars are illustrative shapes, not measured similarities.`,
    { size: 11, color: MUTED, name: 'caption-2' },
  );
  // The main axis needs one (invisible) trace so plotly lays it out before the insets.
  traces.unshift({ type: 'scatter', mode: 'markers', x: [], y: [], xaxis: 'x', yaxis: 'y', hoverinfo: 'skip', showlegend: false });
  return { data: traces, layout };
}
