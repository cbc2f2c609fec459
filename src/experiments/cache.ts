/**
 * Run cache: every run lives under results/runs/<kind>-<hash>/ where the hash is taken over its full config.
 * Beside the result we store the config, the backend, package versions, seed and git commit, so any table cell can be
 * traced to the exact settings and code that produced it. A run counts as done only when result.json exists and passes
 * result-check.ts (written atomically, last, after the same check); anything else in the folder is resumable state,
 * and lock.json names the one process working in it (lock.ts).
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { execSync } from 'child_process';
import { PROJECT_ROOT } from '../util/paths';
import type { RunConfig } from './configs';
import { resultProblems } from './result-check';

export { PROJECT_ROOT };
/** Run-folder files (config.json, meta.json, result.json) are written fully or not at all (src/util/atomic-write.ts). */
export { writeFileAtomic } from '../util/atomic-write';

/** JSON with object keys sorted, so equal configs hash equally whatever their key order. */
export function stableStringify(v: unknown): string {
  if (v === null || typeof v !== 'object') {
    if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`config value ${v} is not finite JSON`);
    return JSON.stringify(v);
  }
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableStringify(o[k])}`)
    .join(',')}}`;
}

export function configHash(config: unknown): string {
  return createHash('sha256').update(stableStringify(config)).digest('hex').slice(0, 12);
}

export function resultsRoot(): string {
  return process.env.SEQPE_RESULTS_DIR ? path.resolve(process.env.SEQPE_RESULTS_DIR) : path.join(PROJECT_ROOT, 'results');
}

export function runDir(kind: string, config: unknown): string {
  return path.join(resultsRoot(), 'runs', `${kind}-${configHash(config)}`);
}

export function readJson<T>(file: string): T | undefined {
  if (!fs.existsSync(file)) return undefined;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

/** A run folder's result.json as the cache sees it: absent, sound, or present but unusable (with why). */
export type CachedResult<T> =
  | { status: 'missing'; file: string }
  | { status: 'valid'; file: string; result: T }
  | { status: 'invalid'; file: string; problem: string };

/**
 * Reads and validates a run's result.json (result-check.ts: schema and finite numbers). An invalid one — unparseable,
 * another kind, a null or NaN where a number belongs — is reported, never returned as a result.
 */
export function readRunResult<T = Record<string, unknown>>(dir: string, kind: RunConfig['kind']): CachedResult<T> {
  const file = path.join(dir, 'result.json');
  if (!fs.existsSync(file)) return { status: 'missing', file };
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    return { status: 'invalid', file, problem: `unreadable JSON (${(e as Error).message})` };
  }
  const problems = resultProblems(value, kind);
  return problems.length ? { status: 'invalid', file, problem: problems.join('; ') } : { status: 'valid', file, result: value as T };
}

let gitCache: string | undefined;
export function gitCommit(): string {
  if (gitCache !== undefined) return gitCache;
  try {
    const head = execSync('git rev-parse HEAD', { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const dirty = execSync('git status --porcelain --untracked-files=no', { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
    gitCache = dirty ? `${head}+dirty` : head;
  } catch {
    gitCache = 'unknown';
  }
  return gitCache;
}

export function packageVersions(): Record<string, string> {
  const out: Record<string, string> = { node: process.version };
  for (const name of ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      out[name] = require(`${name}/package.json`).version;
    } catch {
      /* not installed */
    }
  }
  return out;
}

export interface RunMeta {
  kind: string;
  hash: string;
  backend: string;
  packages: Record<string, string>;
  commit: string;
  startedAt: string;
  finishedAt?: string;
  wallSeconds?: number;
}
