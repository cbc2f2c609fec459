/** Small validators for sampler configs: every bad value gets an Error that names the field, the value and the rule. */

export function checkInt(name: string, v: unknown, min: number, max = Infinity): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    const range = max === Infinity ? `≥ ${min}` : `in [${min}, ${max}]`;
    throw new Error(`${name} must be an integer ${range}, got ${String(v)}`);
  }
  return v;
}

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

/** Drops keys whose value is undefined, so `{ batchSize: undefined }` keeps the default when spread over defaults. */
export function stripUndefined<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}
