/**
 * Hard negatives for the contrastive objective (SeqPE §1.6 step 3): positions whose decimal *string* is a few edits away
 * from the pivot's, so they look alike to a digit-reading encoder while their values can be far apart (12 → 112, 21, 1).
 *
 * One hard negative = 1–3 random edits of the pivot's string, each chosen uniformly among
 *   add     insert a random digit at a random place; not at the length cap, never a new leading 0;
 *   swap    exchange two different digits;
 *   replace change one digit to another value;
 *   delete  remove one digit (strings of length ≥ 2).
 * An edit that would break a rule (leading 0 in 1-D, value ≥ nMax, string longer than the cap, no change) is skipped.
 * The result must differ from the pivot and lie inside the position space; otherwise the attempt is retried (up to
 * `maxAttempts` times, then that hard negative is dropped — the caller tops up with random negatives anyway).
 *
 * 2-D: the pivot (r, c) is written as the concatenation of its unpadded coordinates, (12, 3) → "123", edited, then cut at
 * a random point so that both parts have at most `digitsPerAxis` digits ("5" alone is first padded to "05" or "50").
 * In 2-D the string may legitimately start with 0 ((0, 7) → "07"), so the leading-zero rule is applied in 1-D only.
 * Values are also checked against the space (each part < axis), which the official code leaves to the digit budget.
 */
import type { Rng } from '../util/rng';
import { digitCount } from './digits';
import type { PositionSpace } from './space';

export type EditKind = 'add' | 'swap' | 'replace' | 'delete';
export const EDIT_KINDS: readonly EditKind[] = ['add', 'swap', 'replace', 'delete'];

export interface EditRules {
  /** Longest allowed string (1-D: digits of maxPosition−1; 2-D: dims × digits per axis). */
  maxLen: number;
  /** Edited values must be < nMax (1-D: maxPosition; 2-D: axis², as in the official sampler). */
  nMax: number;
  /** Forbid a leading 0 in strings of length ≥ 2 (1-D only). */
  noLeadingZero: boolean;
}

const hasLeadingZero = (s: string): boolean => s.length > 1 && s[0] === '0';

/** One edit of a digit string; null when the chosen edit is not allowed here (the caller then skips it). */
export function editDigits(s: string, kind: EditKind, rng: Rng, rules: EditRules): string | null {
  let out: string;
  switch (kind) {
    case 'add': {
      if (s.length >= rules.maxLen) return null;
      const at = rng.int(0, s.length + 1);
      const d = at === 0 ? rng.int(1, 10) : rng.int(0, 10); // a digit put in front is never 0
      out = s.slice(0, at) + String(d) + s.slice(at);
      break;
    }
    case 'swap': {
      if (s.length < 2) return null;
      const i = rng.int(0, s.length);
      let j = rng.int(0, s.length - 1);
      if (j >= i) j++;
      if (s[i] === s[j]) return null; // must change the string
      const a = s.split('');
      a[i] = s[j];
      a[j] = s[i];
      out = a.join('');
      break;
    }
    case 'replace': {
      const i = rng.int(0, s.length);
      const lowest = rules.noLeadingZero && i === 0 && s.length > 1 ? 1 : 0;
      const allowed: number[] = [];
      for (let d = lowest; d < 10; d++) if (String(d) !== s[i]) allowed.push(d);
      out = s.slice(0, i) + String(allowed[rng.int(0, allowed.length)]) + s.slice(i + 1);
      break;
    }
    case 'delete': {
      if (s.length < 2) return null;
      const i = rng.int(0, s.length);
      out = s.slice(0, i) + s.slice(i + 1);
      break;
    }
    default:
      throw new Error(`editDigits: unknown edit kind ${String(kind)}`);
  }
  if (rules.noLeadingZero && hasLeadingZero(out)) return null;
  if (Number(out) >= rules.nMax) return null;
  return out;
}

/** The edit rules for a space, from its digit budget. */
export function editRulesFor(space: PositionSpace): EditRules & { digitsPerAxis: number } {
  const digitsPerAxis = digitCount(space.axis);
  return space.dims === 1
    ? { maxLen: digitsPerAxis, nMax: space.axis, noLeadingZero: true, digitsPerAxis }
    : { maxLen: 2 * digitsPerAxis, nMax: space.axis * space.axis, noLeadingZero: false, digitsPerAxis };
}

/** Cuts an edited 2-D string back into (row, col) with at most `digitsPerAxis` digits each. */
export function resplit(s: string, digitsPerAxis: number, rng: Rng): [number, number] | null {
  let t = s;
  if (t.length === 1) t = rng.next() < 0.5 ? '0' + t : t + '0';
  const lo = Math.max(1, t.length - digitsPerAxis);
  const hi = Math.min(digitsPerAxis, t.length - 1);
  if (lo > hi) return null; // too long to cut into two admissible parts
  const k = rng.int(lo, hi + 1);
  return [Number(t.slice(0, k)), Number(t.slice(k))];
}

/** One attempt at a hard negative of `pivot`; null if the attempt produced nothing usable. */
export function hardNegativeAttempt(pivot: readonly number[], space: PositionSpace, rng: Rng): number[] | null {
  const rules = editRulesFor(space);
  const original = pivot.map(String).join('');
  let s = original;
  const edits = rng.int(1, 4);
  for (let e = 0; e < edits; e++) {
    const r = editDigits(s, EDIT_KINDS[rng.int(0, EDIT_KINDS.length)], rng, rules);
    if (r !== null) s = r;
  }
  if (s === original) return null;
  let p: number[] | null;
  if (space.dims === 1) p = [Number(s)];
  else p = resplit(s, rules.digitsPerAxis, rng);
  if (p === null || !space.contains(p)) return null;
  if (p.every((v, i) => v === pivot[i])) return null; // e.g. "15" → "105" → (10, 5) is fine, but (1, 5) is the pivot
  return p;
}

/**
 * `count` hard negatives of `pivot`, before the distance filter. Each gets up to `maxAttempts` tries; a hard negative
 * whose tries all fail is dropped, so fewer than `count` may come back.
 */
export function hardNegatives(
  pivot: readonly number[],
  count: number,
  space: PositionSpace,
  rng: Rng,
  maxAttempts = 8,
): number[][] {
  if (!space.contains(pivot)) throw new Error(`hardNegatives: pivot ${JSON.stringify(pivot)} is outside the space`);
  const out: number[][] = [];
  for (let h = 0; h < count; h++) {
    for (let a = 0; a < maxAttempts; a++) {
      const p = hardNegativeAttempt(pivot, space, rng);
      if (p) {
        out.push(p);
        break;
      }
    }
  }
  return out;
}
