/**
 * The set of positions a sampler draws from: 1-D positions 0..maxPosition−1, or the full axis×axis grid in 2-D, where
 * maxPosition counts all cells (10 000 → 100 per axis, as for the digit spec). Positions are coordinate arrays
 * ([t] or [row, col]) and are numbered row-major so they can be de-duplicated by index.
 */
import { axisSize } from './digits';
import type { Rng } from '../util/rng';

export interface PositionSpace {
  readonly dims: 1 | 2;
  /** Positions per axis (1-D: maxPosition). */
  readonly axis: number;
  /** Total positions: axis^dims. */
  readonly count: number;
  /** Position number i (row-major) → coordinates. */
  at(i: number): number[];
  /** Coordinates → position number; throws if outside the space. */
  indexOf(p: readonly number[]): number;
  contains(p: readonly number[]): boolean;
  /** A uniformly random position. */
  uniform(rng: Rng): number[];
}

export function positionSpace(dims: 1 | 2, maxPosition: number): PositionSpace {
  if (dims !== 1 && dims !== 2) throw new Error(`positionSpace: dims must be 1 or 2, got ${String(dims)}`);
  const axis = axisSize(maxPosition, dims);
  const count = dims === 1 ? axis : axis * axis;
  const contains = (p: readonly number[]): boolean =>
    p.length === dims && p.every((v) => Number.isInteger(v) && v >= 0 && v < axis);
  const at = (i: number): number[] => (dims === 1 ? [i] : [Math.floor(i / axis), i % axis]);
  return {
    dims,
    axis,
    count,
    at,
    contains,
    indexOf(p) {
      if (!contains(p)) throw new Error(`position ${JSON.stringify(p)} is outside the ${dims}-D space with ${axis} per axis`);
      return dims === 1 ? p[0] : p[0] * axis + p[1];
    },
    uniform: (rng) => at(rng.int(0, count)),
  };
}
