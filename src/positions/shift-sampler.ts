/**
 * Random position shift (SeqPE §1.5): now and then the main task is trained on windows that start far from 0, so the
 * encoder sees large positions in real use, not only through the regularisers.
 *
 * Pool (built once from the seed): every start offset — 1-D: 0..maxPosition − L; 2-D: (i, j) ∈ [0, axis − rows] ×
 * [0, axis − cols] — shuffled, the first `poolSize` kept (a fixed set of 320 windows by default).
 * Per step: with probability `rate` the step is "shifted" and takes the next `mainBatch` windows from the pool, each window
 * then shared by batch/mainBatch examples; otherwise it uses the single default window at the origin. The pool is read
 * with a cyclic pointer: when fewer than `mainBatch` windows remain, reading restarts at a random pointer in
 * [0, min(restartSpan, poolSize − mainBatch + 1)) (restartSpan = 32 as in the official sampler), so a step's windows
 * are always consecutive pool entries.
 * The distillation loss is applied only on non-shifted steps (its teacher is the window at the origin).
 */
import { Rng, type RngState } from '../util/rng';
import { checkDims, checkFingerprint, checkInt, checkProb, checkSeed, stripUndefined } from './config-checks';
import { positionSpace, type PositionSpace } from './space';

/** A main-task window; structurally the same as the encodings' PositionLayout (without a prefix). */
export type Window =
  | { kind: '1d'; start: number; length: number }
  | { kind: '2d'; start: [number, number]; rows: number; cols: number };

export interface ShiftSamplerConfig {
  dims: 1 | 2;
  /** 1-D: positions 0..maxPosition−1. 2-D: total grid cells (axis = ⌊√maxPosition⌋). */
  maxPosition: number;
  seed: number;
  /** 1-D training length L (required in 1-D). */
  trainLength?: number;
  /** 2-D training grid (required in 2-D). */
  trainRows?: number;
  trainCols?: number;
  /** Windows kept in the pool. Default 320. */
  poolSize?: number;
  /** Probability that a step is shifted. Default 0.1. */
  rate?: number;
  /** Windows per shifted step. Default 16 (1-D) / 32 (2-D). */
  mainBatch?: number;
  /** Range of the random restart pointer. Default 32. */
  restartSpan?: number;
}

export interface ShiftStep {
  shifted: boolean;
  /** mainBatch pool windows on a shifted step, else the one default window at the origin. */
  windows: Window[];
}

export interface ShiftSamplerState {
  fingerprint: string;
  rng: RngState;
  pointer: number;
}

export class ShiftSampler {
  readonly space: PositionSpace;
  readonly rate: number;
  readonly mainBatch: number;
  readonly restartSpan: number;
  /** The default, in-distribution window at the origin. */
  readonly defaultWindow: Window;
  private readonly poolWindows: Window[];
  private readonly rng: Rng;
  private pointer = 0;
  private readonly fingerprint: string;

  constructor(cfg: ShiftSamplerConfig) {
    const dims = checkDims(cfg.dims);
    const c = { poolSize: 320, rate: 0.1, mainBatch: dims === 1 ? 16 : 32, restartSpan: 32, ...stripUndefined(cfg), dims };
    checkSeed(c.seed);
    checkInt('maxPosition', c.maxPosition, 2);
    this.space = positionSpace(dims, c.maxPosition);
    const axis = this.space.axis;
    this.rate = checkProb('rate', c.rate);
    const poolSize = checkInt('poolSize', c.poolSize, 1);
    this.mainBatch = checkInt('mainBatch', c.mainBatch, 1);
    this.restartSpan = checkInt('restartSpan', c.restartSpan, 1);
    const master = new Rng(c.seed);
    const poolRng = master.fork(3);
    this.rng = master.fork(4);

    let starts: number[][] = [];
    if (dims === 1) {
      if (c.trainLength === undefined) throw new Error('ShiftSampler: trainLength (L) is required in 1-D');
      const L = checkInt('trainLength', c.trainLength, 1, axis - 1);
      for (let s = 0; s <= c.maxPosition - L; s++) starts.push([s]);
      this.defaultWindow = { kind: '1d', start: 0, length: L };
    } else {
      if (c.trainRows === undefined || c.trainCols === undefined) throw new Error('ShiftSampler: trainRows and trainCols are required in 2-D');
      const rows = checkInt('trainRows', c.trainRows, 1, axis - 1);
      const cols = checkInt('trainCols', c.trainCols, 1, axis - 1);
      for (let i = 0; i <= axis - rows; i++) for (let j = 0; j <= axis - cols; j++) starts.push([i, j]);
      this.defaultWindow = { kind: '2d', start: [0, 0], rows, cols };
    }
    if (poolSize > starts.length) {
      throw new Error(`poolSize ${poolSize} exceeds the ${starts.length} available window starts`);
    }
    if (this.mainBatch > poolSize) throw new Error(`mainBatch ${this.mainBatch} exceeds poolSize ${poolSize}`);
    starts = poolRng.shuffle(starts).slice(0, poolSize);
    const d = this.defaultWindow;
    this.poolWindows = starts.map((s): Window =>
      d.kind === '1d' ? { kind: '1d', start: s[0], length: d.length } : { kind: '2d', start: [s[0], s[1]], rows: d.rows, cols: d.cols },
    );
    this.fingerprint = JSON.stringify(c);
  }

  /** The fixed pool of shift windows. */
  get pool(): readonly Window[] {
    return this.poolWindows;
  }

  next(): ShiftStep {
    if (this.rng.next() >= this.rate) return { shifted: false, windows: [copyWindow(this.defaultWindow)] };
    const n = this.poolWindows.length;
    if (this.pointer + this.mainBatch > n) {
      this.pointer = this.rng.int(0, Math.min(this.restartSpan, n - this.mainBatch + 1));
    }
    const windows = this.poolWindows.slice(this.pointer, this.pointer + this.mainBatch).map(copyWindow);
    this.pointer += this.mainBatch;
    return { shifted: true, windows };
  }

  getState(): ShiftSamplerState {
    return { fingerprint: this.fingerprint, rng: this.rng.getState(), pointer: this.pointer };
  }

  setState(s: ShiftSamplerState): void {
    checkFingerprint('ShiftSampler', this.fingerprint, s.fingerprint);
    if (!Number.isInteger(s.pointer) || s.pointer < 0 || s.pointer > this.poolWindows.length) {
      throw new Error(`ShiftSampler.setState: pointer ${s.pointer} is outside [0, ${this.poolWindows.length}]`);
    }
    this.rng.setState(s.rng);
    this.pointer = s.pointer;
  }
}

function copyWindow(w: Window): Window {
  return w.kind === '1d' ? { ...w } : { ...w, start: [w.start[0], w.start[1]] };
}
