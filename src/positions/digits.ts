/**
 * Positions as symbol sequences (SeqPE §1.1).
 *
 * An n-D integer position is written digit by digit in base b, each coordinate left-padded with the digit 0 to a fixed
 * digit count, and the coordinates concatenated in order: with 2 digits per axis, (2, 3) → [0, 2, 0, 3]; with 5 digits,
 * 123 → [0, 0, 1, 2, 3]. The padding symbol is the digit 0 itself (the paper does not mask it by default).
 */

/** A position: a non-negative integer per dimension. 1-D positions may be given as plain numbers. */
export type Position = number | readonly number[];

export interface DigitSpec {
  /** Number of dimensions n ≥ 1. */
  dims: number;
  /** Digits per dimension. */
  digits: number;
  /** Base b ≥ 2. */
  base: number;
}

/** The digit sequences of a batch, ready for the encoder. Every array is row-major [count, seqLen]. */
export interface DigitBatch {
  spec: DigitSpec;
  /** Number of positions. */
  count: number;
  /** dims · digits. */
  seqLen: number;
  /** Digit symbols 0..base−1, [count, seqLen]. */
  ids: Int32Array;
  /** 1 for a real digit, 0 for a left pad (leading zeros of each coordinate; the units digit is always real). */
  mask: Uint8Array;
}

function checkBase(base: number): void {
  if (!Number.isInteger(base) || base < 2) throw new Error(`base must be an integer ≥ 2, got ${base}`);
}

function checkCoord(v: number, where: string): void {
  if (typeof v !== 'number' || Number.isNaN(v)) {
    throw new Error(`${where}: position coordinate is ${typeof v === 'number' ? 'NaN' : `${JSON.stringify(v)} (a ${typeof v})`}; expected a whole number`);
  }
  if (!Number.isFinite(v)) throw new Error(`${where}: position coordinate ${v} is not finite`);
  if (!Number.isInteger(v)) throw new Error(`${where}: position coordinate ${v} is not an integer`);
  if (v < 0) throw new Error(`${where}: position coordinate ${v} is negative; positions are ≥ 0`);
}

function checkSpec(spec: DigitSpec): void {
  checkBase(spec.base);
  if (!Number.isInteger(spec.dims) || spec.dims < 1) throw new Error(`spec.dims must be an integer ≥ 1, got ${spec.dims}`);
  if (!Number.isInteger(spec.digits) || spec.digits < 1) throw new Error(`spec.digits must be an integer ≥ 1, got ${spec.digits}`);
}

/**
 * Digits needed to write every position in [0, maxPosition) — the official code's `len(str(max_position − 1))`,
 * generalised to any base. maxPosition is exclusive and must be ≥ 1.
 */
export function digitCount(maxPosition: number, base = 10): number {
  checkBase(base);
  if (!Number.isInteger(maxPosition) || maxPosition < 1) {
    throw new Error(`maxPosition must be an integer ≥ 1 (exclusive upper bound), got ${maxPosition}`);
  }
  let n = 1;
  let cap = base; // numbers 0..cap-1 fit in n digits
  while (cap < maxPosition) {
    n++;
    cap *= base;
  }
  return n;
}

/**
 * The digit spec for positions in [0, maxPosition) in `dims` dimensions. For n-D, maxPosition counts all grid cells and
 * each axis gets floor(maxPosition^(1/n)) positions, as in the paper (10 000 cells in 2-D → 100 per axis → 2 digits).
 */
export function specFor(maxPosition: number, dims = 1, base = 10): DigitSpec {
  checkBase(base);
  return { dims, digits: digitCount(axisSize(maxPosition, dims), base), base };
}

/**
 * Positions per axis when `maxPosition` counts all cells of a `dims`-dimensional grid: the integer floor of
 * maxPosition^(1/dims) (10 000 cells in 2-D → 100). Computed exactly in integers, so float round-off in the root
 * (e.g. 1000^(1/3) = 9.999…) cannot lose a position.
 */
export function axisSize(maxPosition: number, dims = 1): number {
  if (!Number.isInteger(dims) || dims < 1) throw new Error(`dims must be an integer ≥ 1, got ${dims}`);
  if (!Number.isSafeInteger(maxPosition) || maxPosition < 1) {
    throw new Error(`maxPosition must be an integer ≥ 1 (exclusive upper bound), got ${maxPosition}`);
  }
  if (dims === 1) return maxPosition;
  let r = Math.round(Math.pow(maxPosition, 1 / dims));
  while (r > 1 && Math.pow(r, dims) > maxPosition) r--;
  while (Math.pow(r + 1, dims) <= maxPosition) r++;
  return r;
}

/** Largest coordinate (exclusive) that the spec can write: base^digits. */
export function capacity(spec: DigitSpec): number {
  return Math.pow(spec.base, spec.digits);
}

/** Normalises a position to a coordinate array and checks it against the spec. */
export function coords(p: Position, spec: DigitSpec, where = 'position'): number[] {
  checkSpec(spec);
  const c = typeof p === 'number' ? [p] : Array.from(p);
  if (c.length !== spec.dims) {
    throw new Error(`${where} ${JSON.stringify(p)} has ${c.length} dimension(s); expected ${spec.dims}`);
  }
  const cap = capacity(spec);
  for (const v of c) {
    checkCoord(v, where);
    if (v >= cap) {
      throw new Error(
        `${where} ${JSON.stringify(p)}: coordinate ${v} needs more than ${spec.digits} base-${spec.base} digits (max ${cap - 1})`,
      );
    }
  }
  return c;
}

/** Digit symbols of one position, left-padded per dimension, dimensions concatenated. */
export function toDigits(p: Position, spec: DigitSpec): number[] {
  checkBase(spec.base);
  const c = coords(p, spec);
  const out: number[] = [];
  for (const v of c) {
    const ds = new Array<number>(spec.digits).fill(0);
    let x = v;
    for (let i = spec.digits - 1; i >= 0 && x > 0; i--) {
      ds[i] = x % spec.base;
      x = Math.floor(x / spec.base);
    }
    out.push(...ds);
  }
  return out;
}

/** Inverse of toDigits. */
export function fromDigits(ds: readonly number[], spec: DigitSpec): number[] {
  checkSpec(spec);
  if (ds.length !== spec.dims * spec.digits) {
    throw new Error(`digit sequence of length ${ds.length}; expected ${spec.dims * spec.digits}`);
  }
  const out: number[] = [];
  for (let d = 0; d < spec.dims; d++) {
    let v = 0;
    for (let i = 0; i < spec.digits; i++) {
      const s = ds[d * spec.digits + i];
      if (!Number.isInteger(s) || s < 0 || s >= spec.base) throw new Error(`digit ${s} is not a base-${spec.base} symbol`);
      v = v * spec.base + s;
    }
    out.push(v);
  }
  return out;
}

/** Digit sequences and pad masks of a batch of positions. All must share the spec's dimensionality. */
export function encodeBatch(positions: readonly Position[], spec: DigitSpec): DigitBatch {
  checkSpec(spec);
  const seqLen = spec.dims * spec.digits;
  const ids = new Int32Array(positions.length * seqLen);
  const mask = new Uint8Array(positions.length * seqLen);
  const firstDims = positions.length > 0 ? (typeof positions[0] === 'number' ? 1 : (positions[0] as number[]).length) : spec.dims;
  positions.forEach((p, r) => {
    const n = typeof p === 'number' ? 1 : p.length;
    if (n !== firstDims) {
      throw new Error(
        `mixed dimensionality in one batch: position ${r} ${JSON.stringify(p)} has ${n} dimension(s), position 0 has ${firstDims}`,
      );
    }
    let ds: number[];
    try {
      ds = toDigits(p, spec);
    } catch (e) {
      // name the batch index: "position: … is NaN" alone does not say which of thousands of positions it was
      const show = (x: unknown): string => (typeof x === 'number' ? String(x) : JSON.stringify(x));
      throw new Error(`positions[${r}] = ${Array.isArray(p) ? `[${p.map(show).join(', ')}]` : show(p)}: ${(e as Error).message}`);
    }
    ids.set(ds, r * seqLen);
    for (let d = 0; d < spec.dims; d++) {
      let leading = true;
      for (let i = 0; i < spec.digits; i++) {
        const k = d * spec.digits + i;
        if (ds[k] !== 0 || i === spec.digits - 1) leading = false;
        mask[r * seqLen + k] = leading ? 0 : 1;
      }
    }
  });
  return { spec, count: positions.length, seqLen, ids, mask };
}

/** Digit-position ids the encoder embeds: 0..dims·digits−1 (not reset per dimension, as in the official code). */
export function digitPositionIds(spec: DigitSpec): number[] {
  return Array.from({ length: spec.dims * spec.digits }, (_, i) => i);
}

/** Dimension id of every digit slot: [0,0,1,1] for 2 digits per axis in 2-D. */
export function dimensionIds(spec: DigitSpec): number[] {
  return Array.from({ length: spec.dims * spec.digits }, (_, i) => Math.floor(i / spec.digits));
}

/** A stable string key for a position (for de-duplication and caches). */
export function positionKey(p: Position): string {
  return typeof p === 'number' ? String(p) : p.join(',');
}
