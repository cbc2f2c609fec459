/**
 * Pivots and candidates for the contrastive distance objective L_δ (SeqPE §1.6).
 *
 * Each step yields `batchSize` pivots; every pivot gets `contrastiveSize` candidate positions and a label, the index of
 * the candidate nearest to the pivot (squared distance). The encoder is then trained so that the dot product of the
 * pivot's embedding with the nearest candidate's is the largest: embedding distances learn to follow position distances.
 *
 * Pivots: consecutive "epochs", each a fresh shuffle of every position (1-D: 0..maxPosition−1; 2-D: the whole grid).
 * Candidates for one pivot:
 *   1. simple: contrastiveSize + 1 uniform random positions;
 *   2. one special mode, drawn per pivot —
 *        'hard'           string-edited look-alikes of the pivot (hard-negatives.ts), n_hard = ⌊contrastiveSize·hardRatio⌋,
 *                        each kept only if it is farther from the pivot than the nearest of simple[:−n_hard];
 *        'distributional' contrastiveSize positions drawn without replacement from one random contiguous window that does
 *                        not depend on the pivot (1-D: length max(distRange, 5·size); 2-D: a square of side
 *                        max(trainSide, ⌊√(5·size)⌋)), so the encoder must tell close positions apart;
 *        'none'           nothing special (2-D only by default);
 *   3. merge: special first, then simple; drop duplicates and the pivot; keep the first contrastiveSize.
 *      De-duplication could in principle leave fewer than contrastiveSize (tiny spaces, many repeats); the list is then
 *      topped up with fresh uniform draws (again without the pivot or repeats), so a batch is always exactly
 *      [batchSize, contrastiveSize]. `toppedUp` in the details says how often that happened.
 * The pivot is never a candidate, so the "positive" is the nearest *other* position.
 *
 * Defaults (spec §4): 1-D batch 16 × 32 candidates, hard ratio 0.25, modes hard 0.4 / distributional 0.6, window 256;
 * 2-D batch 32 × 64, hard ratio 0.2, modes none 0.5 / hard 0.3 / distributional 0.2, training grid side 14.
 */
import { Rng, type RngState } from '../util/rng';
import { checkDims, checkFingerprint, checkInt, checkProb, checkSeed, stripUndefined } from './config-checks';
import { nearestIndex, squaredDistance } from './distance';
import { EpochCursor, type EpochCursorState } from './epoch-cursor';
import { hardNegatives } from './hard-negatives';
import { positionSpace, type PositionSpace } from './space';

export type ContrastiveMode = 'none' | 'hard' | 'distributional';

export interface ModeProbs {
  none: number;
  hard: number;
  distributional: number;
}

export interface ContrastiveSamplerConfig {
  dims: 1 | 2;
  /** 1-D: positions 0..maxPosition−1. 2-D: total grid cells (axis = ⌊√maxPosition⌋ per axis). */
  maxPosition: number;
  seed: number;
  /** Pivots per step. Default 16 (1-D) / 32 (2-D). */
  batchSize?: number;
  /** Candidates per pivot. Default 32 (1-D) / 64 (2-D). */
  contrastiveSize?: number;
  /** n_hard = ⌊contrastiveSize · hardRatio⌋. Default 0.25 (1-D) / 0.2 (2-D). */
  hardRatio?: number;
  /** Probabilities of the special modes; must sum to 1. Default {0, 0.4, 0.6} (1-D) / {0.5, 0.3, 0.2} (2-D). */
  modeProbs?: ModeProbs;
  /** 1-D distributional window length (before the max with 5·size). Default 256. */
  distRange?: number;
  /** 2-D training grid side, lower bound of the distributional window side. Default 14. */
  trainSide?: number;
  /** Tries per hard negative before it is dropped. Default 8. */
  maxHardAttempts?: number;
}

export type ResolvedContrastiveConfig = Required<ContrastiveSamplerConfig>;

export function contrastiveDefaults(dims: 1 | 2): Omit<ResolvedContrastiveConfig, 'dims' | 'maxPosition' | 'seed'> {
  return dims === 1
    ? {
        batchSize: 16,
        contrastiveSize: 32,
        hardRatio: 0.25,
        modeProbs: { none: 0, hard: 0.4, distributional: 0.6 },
        distRange: 256,
        trainSide: 14,
        maxHardAttempts: 8,
      }
    : {
        batchSize: 32,
        contrastiveSize: 64,
        hardRatio: 0.2,
        modeProbs: { none: 0.5, hard: 0.3, distributional: 0.2 },
        distRange: 256,
        trainSide: 14,
        maxHardAttempts: 8,
      };
}

/** Everything drawn for one pivot (the batch keeps these for tests, logging and teaching). */
export interface PivotDraw {
  pivot: number[];
  /** contrastiveSize distinct positions, none equal to the pivot. */
  candidates: number[][];
  /** Index into candidates of the nearest one. */
  label: number;
  mode: ContrastiveMode;
  /** The contrastiveSize + 1 uniform draws. */
  simple: number[][];
  /** Hard mode: edited look-alikes that passed the distance rule (in order). */
  hard: number[][];
  /** Hard mode: edited look-alikes dropped by the distance rule. */
  hardRejected: number[][];
  /** Hard mode: min squared distance from the pivot over simple[:−n_hard] (the bar a hard negative must clear). */
  minSimpleSqDist: number;
  /** Distributional mode: the window's first corner and its side (1-D: length). */
  window?: { start: number[]; size: number };
  /** Distributional mode: the draws from the window. */
  distributional: number[][];
  /** Fresh uniform draws needed after de-duplication (almost always 0). */
  toppedUp: number;
}

export interface ContrastiveBatch {
  /** [batchSize][dims] */
  pivots: number[][];
  /** [batchSize][contrastiveSize][dims] */
  candidates: number[][][];
  /** [batchSize] index of the nearest candidate. */
  labels: number[];
  /** [batchSize] special mode used per pivot. */
  modes: ContrastiveMode[];
  details: PivotDraw[];
}

export interface ContrastiveSamplerState {
  fingerprint: string;
  cursor: EpochCursorState;
  rng: RngState;
}

export class ContrastiveSampler {
  readonly config: ResolvedContrastiveConfig;
  readonly space: PositionSpace;
  /** Hard negatives generated per pivot in hard mode. */
  readonly nHard: number;
  private readonly cursor: EpochCursor;
  private readonly rng: Rng;
  private readonly fingerprint: string;

  constructor(cfg: ContrastiveSamplerConfig) {
    const dims = checkDims(cfg.dims);
    const c: ResolvedContrastiveConfig = { ...contrastiveDefaults(dims), ...stripUndefined(cfg), dims };
    checkSeed(c.seed);
    checkInt('maxPosition', c.maxPosition, 2);
    this.space = positionSpace(dims, c.maxPosition);
    checkInt('batchSize', c.batchSize, 1);
    checkInt('contrastiveSize', c.contrastiveSize, 1);
    if (c.contrastiveSize + 1 > this.space.count) {
      throw new Error(
        `contrastiveSize ${c.contrastiveSize} needs at least ${c.contrastiveSize + 1} distinct positions (pivot excluded), ` +
          `but the space has only ${this.space.count}`,
      );
    }
    checkProb('hardRatio', c.hardRatio);
    checkInt('maxHardAttempts', c.maxHardAttempts, 1);
    const mp = c.modeProbs;
    if (!mp || typeof mp !== 'object') throw new Error(`modeProbs must be {none, hard, distributional}, got ${String(mp)}`);
    checkProb('modeProbs.none', mp.none);
    checkProb('modeProbs.hard', mp.hard);
    checkProb('modeProbs.distributional', mp.distributional);
    const sum = mp.none + mp.hard + mp.distributional;
    if (Math.abs(sum - 1) > 1e-9) throw new Error(`modeProbs must sum to 1, got ${JSON.stringify(mp)} (sum ${sum})`);
    checkInt('distRange', c.distRange, 1);
    checkInt('trainSide', c.trainSide, 1);
    if (mp.distributional > 0) {
      const w = this.windowSize(c);
      const limit = this.space.axis;
      if (w > limit) {
        const what = dims === 1
          ? `window length max(distRange ${c.distRange}, 5·contrastiveSize ${5 * c.contrastiveSize}) = ${w}`
          : `window side max(trainSide ${c.trainSide}, ⌊√(5·contrastiveSize)⌋) = ${w}`;
        throw new Error(`distributional ${what} exceeds the ${dims === 1 ? 'maxPosition' : 'grid side'} ${limit}`);
      }
    }
    this.config = c;
    this.nHard = Math.floor(c.contrastiveSize * c.hardRatio);
    const master = new Rng(c.seed);
    this.cursor = new EpochCursor(this.space.count, master.nextU32() | 0);
    this.rng = master.fork(1);
    this.fingerprint = JSON.stringify(c);
  }

  private windowSize(c: ResolvedContrastiveConfig): number {
    return c.dims === 1
      ? Math.max(c.distRange, 5 * c.contrastiveSize)
      : Math.max(c.trainSide, Math.floor(Math.sqrt(5 * c.contrastiveSize)));
  }

  /** The next step's pivots, candidates and labels. */
  nextBatch(): ContrastiveBatch {
    const idx = this.cursor.take(this.config.batchSize);
    const details = idx.map((i) => this.drawFor(this.space.at(i)));
    return {
      pivots: details.map((d) => d.pivot),
      candidates: details.map((d) => d.candidates),
      labels: details.map((d) => d.label),
      modes: details.map((d) => d.mode),
      details,
    };
  }

  private pickMode(): ContrastiveMode {
    const u = this.rng.next();
    const { none, hard } = this.config.modeProbs;
    if (u < none) return 'none';
    if (u < none + hard) return 'hard';
    return 'distributional';
  }

  /** Candidates for one given pivot (advances the sampler's Rng; pivots normally come from nextBatch). */
  drawFor(pivot: readonly number[]): PivotDraw {
    const { space, rng } = this;
    const size = this.config.contrastiveSize;
    const p = Array.from(pivot);
    space.indexOf(p); // throws if outside
    const mode = this.pickMode();
    const simple: number[][] = [];
    for (let i = 0; i <= size; i++) simple.push(space.uniform(rng));

    const hard: number[][] = [];
    const hardRejected: number[][] = [];
    let minSimpleSqDist = NaN;
    let distributional: number[][] = [];
    let window: PivotDraw['window'];
    if (mode === 'hard' && this.nHard > 0) {
      minSimpleSqDist = Infinity;
      for (const s of simple.slice(0, simple.length - this.nHard)) minSimpleSqDist = Math.min(minSimpleSqDist, squaredDistance(p, s));
      for (const h of hardNegatives(p, this.nHard, space, rng, this.config.maxHardAttempts)) {
        // A look-alike closer than a random draw would make the nearest-candidate label a trivial string match.
        if (squaredDistance(p, h) > minSimpleSqDist) hard.push(h);
        else hardRejected.push(h);
      }
    } else if (mode === 'distributional') {
      const w = this.windowSize(this.config);
      if (space.dims === 1) {
        const start = Math.floor((space.axis - w) * rng.next());
        window = { start: [start], size: w };
        distributional = rng.sampleWithoutReplacement(w, size).map((o) => [start + o]);
      } else {
        const r0 = Math.floor((space.axis - w) * rng.next());
        const c0 = Math.floor((space.axis - w) * rng.next());
        window = { start: [r0, c0], size: w };
        distributional = rng.sampleWithoutReplacement(w * w, size).map((o) => [r0 + Math.floor(o / w), c0 + (o % w)]);
      }
    }

    const pivotIdx = space.indexOf(p);
    const seen = new Set<number>([pivotIdx]);
    const candidates: number[][] = [];
    const offer = (q: number[]): void => {
      if (candidates.length >= size) return;
      const k = space.indexOf(q);
      if (seen.has(k)) return;
      seen.add(k);
      candidates.push(q);
    };
    for (const q of hard) offer(q);
    for (const q of distributional) offer(q);
    for (const q of simple) offer(q);
    let toppedUp = 0;
    while (candidates.length < size) {
      const before = candidates.length;
      offer(space.uniform(rng));
      if (candidates.length > before) toppedUp++;
    }
    return {
      pivot: p,
      candidates,
      label: nearestIndex(p, candidates),
      mode,
      simple,
      hard,
      hardRejected,
      minSimpleSqDist,
      window,
      distributional,
      toppedUp,
    };
  }

  getState(): ContrastiveSamplerState {
    return { fingerprint: this.fingerprint, cursor: this.cursor.getState(), rng: this.rng.getState() };
  }

  setState(s: ContrastiveSamplerState): void {
    checkFingerprint('ContrastiveSampler', this.fingerprint, s.fingerprint);
    this.cursor.setState(s.cursor);
    this.rng.setState(s.rng);
  }
}
