/**
 * Run cache: every run lives under results/runs/<kind>-<hash>/ where the hash is taken over its full config.
 * Beside the result we store the config, the backend, package versions, seed and git commit, so any table cell can be
 * traced to the exact settings and code that produced it. A run counts as done only when result.json exists
 * (written atomically, last); anything else in the folder is resumable state.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { execSync } from 'child_process';
import { PROJECT_ROOT } from '../util/paths';

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
