/**
 * The numbers behind Fig. 1 (see ./figure.ts): the digits, digit-position ids and dimension ids of one patch position
 * from src/positions/digits.ts, one real ContrastiveSampler draw for L_δ and one real TransferSampler draw for L_OOD.
 * Nothing is typed in by hand, so the figure cannot drift from the code it illustrates.
 */
import { ContrastiveSampler, type ContrastiveMode } from '../../positions/contrastive-sampler';
import { dimensionIds, digitPositionIds, specFor, toDigits, type DigitSpec } from '../../positions/digits';
import { TransferSampler } from '../../positions/transfer-sampler';
import { checkInt } from '../../util/checks';

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
export const SHOWN_CANDIDATES = 4;
const SHOWN_PAIRS = 4;
/** More digit tokens than this and the encoder's input rows no longer fit legibly in the middle panel. */
const MAX_TOKENS = 8;
/** Beyond this the patch grid's cells become smaller than a few pixels. */
const MAX_GRID = 64;

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
  const grid = checkInt('architectureFigure: grid', opts.grid ?? 4, 1, MAX_GRID);
  const base = checkInt('architectureFigure: base', opts.base ?? 10, 2);
  const digits = checkInt('architectureFigure: digits', opts.digits ?? 2, 1);
  const seed = checkInt('architectureFigure: seed', opts.seed ?? 0, 0);
  const trainSide = checkInt('architectureFigure: trainSide', opts.trainSide ?? 14, 1, 99);
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
