/**
 * Teacher/student positions for the out-of-distribution distillation L_OOD (SeqPE §1.7).
 *
 * Teacher = `transferSize` positions of the current step's in-distribution layout (1-D: 0..L−1; 2-D: the trainRows ×
 * trainCols grid at (0, 0)), drawn without replacement. Student = the same pattern translated by an offset p that reaches
 * beyond the training range, so the loss asks the encoder to give far-away positions the same *relative* similarity
 * structure as the trained ones.
 *   1-D: p ∈ [⌊L/4⌋, maxPosition − L)                       student = p + index
 *   2-D: (i, j) ∈ [0, axis − rows) × [0, axis − cols) with i ≥ rows or j ≥ cols
 *                                                           student = (i + row, j + col)
 * Offsets come from shuffled epochs over that list (every offset once per epoch). Teacher *indices* are row-major
 * indices into the main-task layout, so the caller can slice the teacher embeddings out of the main-task PEs.
 * Defaults: 1-D 16 × 32, 2-D 32 × 64 (transfer batch × transfer size).
 */
import { Rng, type RngState } from '../util/rng';
import { checkDims, checkFingerprint, checkInt, checkSeed, stripUndefined } from './config-checks';
import { EpochCursor, type EpochCursorState } from './epoch-cursor';
import { positionSpace, type PositionSpace } from './space';

export interface TransferSamplerConfig {
  dims: 1 | 2;
  /** 1-D: positions 0..maxPosition−1. 2-D: total grid cells (axis = ⌊√maxPosition⌋). */
  maxPosition: number;
  seed: number;
  /** 1-D training length L (required in 1-D). */
  trainLength?: number;
  /** 2-D training grid (required in 2-D). */
  trainRows?: number;
  trainCols?: number;
  /** Student/teacher sets per step. Default 16 (1-D) / 32 (2-D). */
  batchSize?: number;
  /** Positions per set. Default 32 (1-D) / 64 (2-D). */
  transferSize?: number;
}

export interface TransferBatch {
  /** [batchSize][transferSize] row-major indices into the main-task layout. */
  teacherIndices: number[][];
  /** [batchSize][transferSize][dims] the teacher positions themselves (layout at the origin). */
  teacherPositions: number[][][];
  /** [batchSize][transferSize][dims] teacher positions + offset. */
  studentPositions: number[][][];
  /** [batchSize][dims] the offset of each set. */
  offsets: number[][];
}

export interface TransferSamplerState {
  fingerprint: string;
  cursor: EpochCursorState;
  rng: RngState;
}

export class TransferSampler {
  readonly space: PositionSpace;
  readonly batchSize: number;
  readonly transferSize: number;
  /** Training layout: [L] in 1-D, [rows, cols] in 2-D. */
  readonly trainShape: number[];
  /** Number of positions in the training layout. */
  readonly layoutSize: number;
  private readonly offsetList: number[][];
  private readonly cursor: EpochCursor;
  private readonly rng: Rng;
  private readonly fingerprint: string;

  constructor(cfg: TransferSamplerConfig) {
    const dims = checkDims(cfg.dims);
    const c = { batchSize: dims === 1 ? 16 : 32, transferSize: dims === 1 ? 32 : 64, ...stripUndefined(cfg), dims };
    checkSeed(c.seed);
    checkInt('maxPosition', c.maxPosition, 2);
    this.space = positionSpace(dims, c.maxPosition);
    const axis = this.space.axis;
    this.batchSize = checkInt('batchSize', c.batchSize, 1);
    this.offsetList = [];
    if (dims === 1) {
      if (c.trainLength === undefined) throw new Error('TransferSampler: trainLength (L) is required in 1-D');
      const L = checkInt('trainLength', c.trainLength, 1, axis - 1);
      const lo = Math.floor(L / 4);
      const hi = c.maxPosition - L; // exclusive
      if (hi <= lo) {
        throw new Error(`TransferSampler: no offsets in [⌊L/4⌋ = ${lo}, maxPosition − L = ${hi}) for L = ${L}, maxPosition = ${c.maxPosition}`);
      }
      for (let p = lo; p < hi; p++) this.offsetList.push([p]);
      this.trainShape = [L];
    } else {
      if (c.trainRows === undefined || c.trainCols === undefined) {
        throw new Error('TransferSampler: trainRows and trainCols are required in 2-D');
      }
      const rows = checkInt('trainRows', c.trainRows, 1, axis - 1);
      const cols = checkInt('trainCols', c.trainCols, 1, axis - 1);
      for (let i = 0; i < axis - rows; i++) {
        for (let j = 0; j < axis - cols; j++) if (i >= rows || j >= cols) this.offsetList.push([i, j]);
      }
      if (this.offsetList.length === 0) {
        throw new Error(`TransferSampler: a ${rows}×${cols} grid has no out-of-distribution offset inside a ${axis}×${axis} space`);
      }
      this.trainShape = [rows, cols];
    }
    this.layoutSize = this.trainShape.reduce((a, b) => a * b, 1);
    this.transferSize = checkInt('transferSize', c.transferSize, 1);
    if (this.transferSize > this.layoutSize) {
      throw new Error(`transferSize ${this.transferSize} exceeds the ${this.layoutSize} positions of the training layout`);
    }
    const master = new Rng(c.seed);
    this.cursor = new EpochCursor(this.offsetList.length, master.nextU32() | 0);
    this.rng = master.fork(2);
    this.fingerprint = JSON.stringify(c);
  }

  /** All admissible offsets (in canonical order). */
  get offsets(): readonly (readonly number[])[] {
    return this.offsetList;
  }

  /** Position of layout index k (row-major) at the origin. */
  private layoutPosition(k: number): number[] {
    return this.trainShape.length === 1 ? [k] : [Math.floor(k / this.trainShape[1]), k % this.trainShape[1]];
  }

  nextBatch(): TransferBatch {
    const offsetIdx = this.cursor.take(this.batchSize);
    const out: TransferBatch = { teacherIndices: [], teacherPositions: [], studentPositions: [], offsets: [] };
    for (const oi of offsetIdx) {
      const off = this.offsetList[oi].slice();
      const idx = this.rng.sampleWithoutReplacement(this.layoutSize, this.transferSize);
      const teacher = idx.map((k) => this.layoutPosition(k));
      out.teacherIndices.push(idx);
      out.teacherPositions.push(teacher);
      out.studentPositions.push(teacher.map((t) => t.map((v, d) => v + off[d])));
      out.offsets.push(off);
    }
    return out;
  }

  getState(): TransferSamplerState {
    return { fingerprint: this.fingerprint, cursor: this.cursor.getState(), rng: this.rng.getState() };
  }

  setState(s: TransferSamplerState): void {
    checkFingerprint('TransferSampler', this.fingerprint, s.fingerprint);
    this.cursor.setState(s.cursor);
    this.rng.setState(s.rng);
  }
}
