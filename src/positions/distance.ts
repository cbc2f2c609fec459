/**
 * Distances between positions (SeqPE §1.6). The contrastive label is the candidate nearest to the pivot by squared
 * Euclidean distance; in 1-D that is the squared absolute difference. Squared distances stay exact integers, so ties and
 * "farther than" comparisons are decided without float round-off.
 */
import type { Position } from './digits';

function asCoords(p: Position, where: string): readonly number[] {
  const c = typeof p === 'number' ? [p] : p;
  if (c.length === 0) throw new Error(`${where}: empty position`);
  for (const v of c) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${where}: coordinate ${String(v)} is not a finite number`);
  }
  return c;
}

/** ‖a − b‖² over all coordinates. Both positions must have the same dimensionality. */
export function squaredDistance(a: Position, b: Position): number {
  const ca = asCoords(a, 'squaredDistance(a)');
  const cb = asCoords(b, 'squaredDistance(b)');
  if (ca.length !== cb.length) {
    throw new Error(`squaredDistance: positions ${JSON.stringify(a)} and ${JSON.stringify(b)} differ in dimensionality`);
  }
  let s = 0;
  for (let i = 0; i < ca.length; i++) {
    const d = ca[i] - cb[i];
    s += d * d;
  }
  return s;
}

/** Euclidean distance ‖a − b‖ (for 1-D positions: |a − b|). */
export function distance(a: Position, b: Position): number {
  return Math.sqrt(squaredDistance(a, b));
}

/** 1-D absolute distance |a − b|. */
export function absDistance(a: number, b: number): number {
  asCoords(a, 'absDistance(a)');
  asCoords(b, 'absDistance(b)');
  return Math.abs(a - b);
}

/** Index of the candidate nearest to `pivot` by squared distance; ties go to the first such candidate (argmin). */
export function nearestIndex(pivot: Position, candidates: readonly Position[]): number {
  if (candidates.length === 0) throw new Error('nearestIndex: no candidates');
  let best = 0;
  let bestD = Infinity;
  for (let i = 0; i < candidates.length; i++) {
    const d = squaredDistance(pivot, candidates[i]);
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  }
  return best;
}
