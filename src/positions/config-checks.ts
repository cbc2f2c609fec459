/** Small validators for sampler configs: every bad value gets an Error that names the field, the value and the rule. */
export { checkInt, stripUndefined } from '../util/checks';

export function checkProb(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) {
    throw new Error(`${name} must be a probability in [0, 1], got ${String(v)}`);
  }
  return v;
}

export function checkDims(v: unknown): 1 | 2 {
  if (v !== 1 && v !== 2) throw new Error(`dims must be 1 or 2, got ${String(v)}`);
  return v;
}

export function checkSeed(v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new Error(`seed must be an integer, got ${String(v)}`);
  return v;
}

/** Guards setState: a state saved by a sampler with another config would silently give different draws. */
export function checkFingerprint(kind: string, expected: string, got: unknown): void {
  if (got !== expected) {
    throw new Error(`${kind}.setState: the state was saved with config ${String(got)}, but this sampler has ${expected}`);
  }
}
