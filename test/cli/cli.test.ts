/**
 * The three CLIs against loose input: each case is run as a child process (exit status + the stderr line) or through
 * the function the CLI calls, as the issue lists them. Usage errors exit 2 with one line ending "; see --help".
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/args';
import { checkFolderConfig, configFromArgs, TRAIN_OPTIONS } from '../../src/cli/train';
import { buildChecked, checkAgainstCheckpoint, checkpointIdentity, EVAL_OPTIONS } from '../../src/cli/eval';
import { configHash, stableStringify } from '../../src/experiments/cache';
import { lmMethods, lmRunConfig, type LmRunConfig } from '../../src/experiments/configs';
import { getProfile } from '../../src/experiments/profiles';
import { saveCheckpoint } from '../../src/train/checkpoint';
import { initBackend } from '../../src/backend';
import { buildLm } from '../../src/experiments/runners/lm';

const ROOT = path.resolve(__dirname, '..', '..');

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(name: 'train' | 'eval' | 'reproduce', args: string[]): Promise<Ran> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli', `${name}.ts`), ...args], {
      cwd: ROOT,
      env: { ...process.env, SEQPE_RESULTS_DIR: path.join(os.tmpdir(), 'seqpe-cli-results-unused') },
    });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    c.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const trainArgs = (argv: string[]) => parseArgs(argv, TRAIN_OPTIONS);

/** The UsageError message configFromArgs (what train's main runs before anything else) gives for these flags. */
function trainUsage(argv: string[]): string {
  try {
    configFromArgs(trainArgs(argv));
  } catch (e) {
    expect((e as Error).name).toBe('UsageError');
    return (e as Error).message;
  }
  throw new Error(`accepted ${argv.join(' ')}`);
}

describe('train: usage errors', () => {
  // A few through the real process (exit status, the one stderr line, nothing started); the rest in process, where the
  // same main code runs without paying a process start (~10 s each on a loaded 2-core machine).
  it.each([
    { a: ['--steps', '0x10'], re: /^train: --steps must be a decimal integer ≥ 1, got "0x10"; see --help$/ },
    { a: ['--encoding', 'rope', '--mode', 'qk_gate'], re: /^train: --mode applies to SeqPE only; --encoding rope has no application mode; see --help$/ },
    { a: ['--out', '/proc/x', '--profile', 'quick'], re: /^train: --out \/proc\/x lies on a kernel or device file system \(\/proc\); give an ordinary folder; see --help$/ },
  ])('as a process, exit 2: $a', async ({ a, re }) => {
    const r = await cli('train', a);
    expect(r.stderr.trim()).toMatch(re);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe(''); // failed before the backend line: nothing was started
  });

  it('in process: each loose input named', () => {
    expect(trainUsage(['--steps='])).toBe('--steps needs a value, got an empty string');
    expect(trainUsage(['--seed', '4294967296'])).toBe('--seed must be an integer in [0, 4294967295], got 4294967296');
    expect(trainUsage(['--seed=-3'])).toBe('--seed must be an integer in [0, 4294967295], got -3');
    expect(trainUsage(['--seed', '2.5'])).toBe('--seed must be a decimal integer in [0, 4294967295], got "2.5"');
    expect(trainUsage(['--encoding', 'alibi', '--no-contrastive'])).toBe('--no-contrastive applies to SeqPE only; --encoding alibi has no such objective');
    expect(trainUsage(['--encoding', 'ape', '--mode', 'attn_bias'])).toBe('--mode applies to SeqPE only; --encoding ape has no application mode'); // even its default
    expect(trainUsage(['--task', 'vit', '--encoding', 'alibi'])).toBe('--encoding alibi is not available for the ViT; use one of ape, rope2d, rope-mixed, seqpe');
    expect(trainUsage(['--encoding', 'rop'])).toBe('--encoding "rop" is not one of none, sinusoidal, rope, rope2d, rope-mixed, alibi, ape, seqpe (did you mean rope?)');
    expect(trainUsage(['--lr', '0'])).toBe('--lr must be a number > 0, got 0');
    expect(trainUsage(['extra'])).toBe('unexpected argument(s) extra');
  });

  it('-h prints the options and exits 0', async () => {
    const r = await cli('train', ['-h']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: npm run train -- \[options\]/);
    expect(r.stdout).toMatch(/-h, --help/);
    expect(r.stdout).toMatch(/--config VALUE/);
  });
});

describe('reproduce: usage errors exit 2', () => {
  it('--workers 0 and --only ""', async () => {
    const rs = await Promise.all([
      cli('reproduce', ['--workers', '0']),
      cli('reproduce', ['--only', '']),
    ]);
    expect(rs.map((r) => r.stderr.trim())).toEqual([
      'reproduce: --workers must be an integer ≥ 1, got 0; see --help',
      'reproduce: --only needs a value, got an empty string; see --help',
    ]);
    expect(rs.map((r) => r.code)).toEqual([2, 2]);
  });
});

describe('train: the config the flags describe', () => {
  it('a flag equal to its default leaves the config and its hash unchanged', () => {
    const base = configFromArgs(trainArgs(['--profile', 'small', '--encoding', 'rope']));
    const p = getProfile('small');
    const same = [
      ['--lr', String(p.lm.lr)],
      ['--steps', String(p.lm.steps)],
      ['--seed', '1'],
      ['--task', 'lm'],
    ];
    for (const extra of same) {
      const c = configFromArgs(trainArgs(['--profile', 'small', '--encoding', 'rope', ...extra]));
      expect(configHash(c), extra.join(' ')).toBe(configHash(base));
    }
    // and for SeqPE, its default mode given explicitly
    const s0 = configFromArgs(trainArgs(['--profile', 'small']));
    expect(configHash(configFromArgs(trainArgs(['--profile', 'small', '--mode', 'attn_bias'])))).toBe(configHash(s0));
    // while a real change changes it
    expect(configHash(configFromArgs(trainArgs(['--profile', 'small', '--encoding', 'rope', '--lr', String(p.lm.lr * 2)])))).not.toBe(configHash(base));
  });

  it('the hash is over the resolved config in canonical key order', () => {
    const c = configFromArgs(trainArgs(['--profile', 'quick', '--encoding', 'ape']));
    const reverse = (v: unknown): unknown =>
      v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reverse(x)])) : v;
    const reordered = reverse(c);
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(c));
    expect(stableStringify(reordered)).toBe(stableStringify(c));
    expect(configHash(c)).toBe(configHash(lmRunConfig(getProfile('quick'), lmMethods(getProfile('quick'))[0], 1)));
  });

  it('the SeqPE variant flags give the ablation rows’ configs (and so share their cached runs)', () => {
    const p = getProfile('quick');
    const c = configFromArgs(trainArgs(['--profile', 'quick', '--no-contrastive']));
    if (c.kind !== 'lm' || c.method.encoding.name !== 'seqpe') throw new Error('expected an LM SeqPE config');
    expect(c.method.label).toBe('w/o L_δ');
    expect(c.method.encoding.objectives?.contrastive).toBeUndefined();
    expect(c.method.encoding.objectives?.distillation).toBeDefined();
    const v = configFromArgs(trainArgs(['--profile', 'quick', '--task', 'vit', '--no-shift', '--mode', 'input_add']));
    if (v.kind !== 'vit' || v.method.encoding.name !== 'seqpe') throw new Error('expected a ViT SeqPE config');
    expect(v.method.label).toBe('w/o random shift, apply: input add');
    expect(v.method.encoding.mode).toBe('input_add');
    expect(v.method.encoding.objectives?.shift).toBeUndefined();
    expect(p.name).toBe('quick');
  });

  it('reusing an --out folder that holds another config is refused, naming the differing fields', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seqpe-out-'));
    const a = configFromArgs(trainArgs(['--profile', 'quick', '--encoding', 'rope']));
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(a));
    expect(() => checkFolderConfig(dir, a)).not.toThrow(); // the same run: resume
    const b = configFromArgs(trainArgs(['--profile', 'quick', '--encoding', 'rope', '--steps', '7', '--seed', '3']));
    expect(() => checkFolderConfig(dir, b)).toThrow(
      new RegExp(`^--out ${dir} already holds a run with another config; refusing to mix them\\. Differing fields: seed \\(folder 1, this run 3\\); train\\.steps \\(folder \\d+, this run 7\\)`),
    );
    fs.rmSync(dir, { recursive: true });
  });
});

describe('eval: the checkpoint decides', () => {
  const p = getProfile('quick');
  let dir: string;
  let cfg: LmRunConfig;
  const meta = (over: Record<string, unknown> = {}) => ({
    format: 'seqpe-train-v1',
    step: 2,
    model: { kind: 'causal-lm', vocab: 256, dModel: p.lm.dModel, layers: p.lm.layers, heads: p.lm.heads, dropout: p.lm.dropout, mlpRatio: 4, attnDropout: 0, initStd: 0.02, seed: 1, encoding: 'ape', params: 0 },
    train: { seed: 1, steps: 5, meta: { method: 'APE' } },
    ...over,
  });
  const write = (m: Record<string, unknown>, c: unknown = cfg): void => {
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(c));
    saveCheckpoint(path.join(dir, 'checkpoint.bin'), { meta: m, tensors: new Map([['param/x', { shape: [1], data: new Float32Array([0]) }]]) });
  };
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seqpe-eval-'));
    cfg = lmRunConfig(p, lmMethods(p)[0], 1);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a flag contradicting the checkpoint exits 2 naming both values; so does --tokens below the labelled length', async () => {
    write(meta());
    const [enc, tokens] = await Promise.all([cli('eval', [dir, '--encoding', 'rope']), cli('eval', [dir, '--tokens', '3'])]);
    const ck = path.join(dir, 'checkpoint.bin');
    expect(enc.stderr.trim()).toBe(`eval: --encoding rope contradicts the run: the checkpoint’s encoding is "ape" (${ck}); see --help`);
    const id = checkpointIdentity(ck, { meta: meta() });
    const flagged = (argv: string[]) => () => checkAgainstCheckpoint(dir, cfg, id, parseArgs([dir, ...argv], EVAL_OPTIONS));
    expect(flagged(['--seed', '2'])).toThrow(`--seed 2 contradicts the run: the checkpoint’s seed is 1 (${ck})`);
    expect(flagged(['--task', 'vit'])).toThrow(`--task vit contradicts the run: its task is "lm" (${ck})`);
    expect(flagged(['--profile', 'small'])).toThrow(`--profile small contradicts the run: its profile is "quick" (${ck})`);
    expect(flagged(['--seed', '1', '--encoding', 'ape', '--task', 'lm'])).not.toThrow(); // agreeing flags are fine
    expect(tokens.stderr.trim()).toMatch(/^eval: --tokens 3 is smaller than the evaluation length 128: perplexity "at L = 128" needs at least one full window of 128 tokens/);
    for (const r of [enc, tokens]) expect(r.code).toBe(2);
  });

  it('a config.json that does not describe its checkpoint is refused, naming both values', () => {
    const args = parseArgs([dir], EVAL_OPTIONS);
    const check = (m: Record<string, unknown>, c: LmRunConfig) => () => checkAgainstCheckpoint(dir, c, checkpointIdentity('ck', { meta: m }), args);
    expect(check(meta(), cfg)).not.toThrow();
    expect(check(meta({ train: { seed: 4, steps: 5, meta: { method: 'APE' } } }), cfg)).toThrow(/seed is 4 in checkpoint\.bin but 1 in config\.json/);
    expect(check(meta(), { ...cfg, method: { ...cfg.method, label: 'RoPE' } })).toThrow(/method label is "APE" in checkpoint\.bin but "RoPE" in config\.json/);
    const rope = lmRunConfig(p, lmMethods(p)[2], 1);
    expect(check(meta(), rope)).toThrow(/encoding is "ape" in checkpoint\.bin but "rope" in config\.json/);
    expect(() => checkpointIdentity('ck', { meta: { format: 'other' } })).toThrow(/not a training checkpoint/);
  });

  it('a config.json that builds another model than the checkpoint holds is refused field by field', async () => {
    await initBackend();
    const truth = buildLm(cfg);
    const described = truth.describe();
    truth.dispose();
    const id = checkpointIdentity('ck', { meta: meta({ model: described }) });
    const same = buildChecked(dir, cfg, id); // the model the checkpoint was saved from: accepted
    expect(same.describe()).toEqual(described);
    same.dispose();
    const other = checkpointIdentity('ck', { meta: meta({ model: { ...described, dModel: 2 * cfg.model.dModel, layers: 3 } }) });
    expect(() => buildChecked(dir, cfg, other)).toThrow(
      `${dir}: config.json builds another model than checkpoint.bin holds: dModel (checkpoint ${2 * cfg.model.dModel}, config.json ${cfg.model.dModel}); layers (checkpoint 3, config.json ${cfg.model.layers})`,
    );
  });
});
