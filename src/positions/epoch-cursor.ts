/**
 * Walks through 0..n−1 in "epochs": each epoch is a fresh shuffle, consumed in order; when it runs out the next epoch is
 * shuffled. This is how the samplers pick pivots (contrastive) and offsets (transfer) so that every position is used once
 * per epoch. The cursor owns its Rng, which makes its state tiny: the Rng state *before* the current epoch's shuffle
 * plus a pointer is enough to rebuild the order exactly.
 */
import { Rng, type RngState } from '../util/rng';

export interface EpochCursorState {
  /** Epochs started so far (1 after construction). */
  epoch: number;
  /** Next index into the current epoch's order. */
  pointer: number;
  /** Rng state just before the current epoch was shuffled. */
  shuffleFrom: RngState;
}

export class EpochCursor {
  private readonly rng: Rng;
  private order: Int32Array;
  private pointer = 0;
  private epochNo = 0;
  private shuffleFrom: RngState;

  constructor(readonly n: number, seed: number) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`EpochCursor: need at least one item, got n = ${n}`);
    this.rng = new Rng(seed);
    this.order = new Int32Array(n);
    this.shuffleFrom = this.rng.getState();
    this.newEpoch();
  }

  private newEpoch(): void {
    this.shuffleFrom = this.rng.getState();
    const o = this.order;
    for (let i = 0; i < o.length; i++) o[i] = i;
    for (let i = o.length - 1; i > 0; i--) {
      const j = this.rng.int(0, i + 1);
      const t = o[i];
      o[i] = o[j];
      o[j] = t;
    }
    this.pointer = 0;
    this.epochNo++;
  }

  /** Number of epochs started so far. */
  get epoch(): number {
    return this.epochNo;
  }

  /** The next k items; a batch may straddle two epochs. */
  take(k: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < k; i++) {
      if (this.pointer >= this.n) this.newEpoch();
      out.push(this.order[this.pointer++]);
    }
    return out;
  }

  getState(): EpochCursorState {
    return { epoch: this.epochNo, pointer: this.pointer, shuffleFrom: [...this.shuffleFrom] as RngState };
  }

  setState(s: EpochCursorState): void {
    if (!Number.isInteger(s.pointer) || s.pointer < 0 || s.pointer > this.n) {
      throw new Error(`EpochCursor.setState: pointer ${s.pointer} is outside [0, ${this.n}]`);
    }
    this.rng.setState(s.shuffleFrom);
    this.newEpoch(); // re-shuffles exactly as before, leaving the Rng where it was after that shuffle
    this.epochNo = s.epoch;
    this.pointer = s.pointer;
  }
}
