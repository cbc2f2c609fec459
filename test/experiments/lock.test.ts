/**
 * One owner per run folder, under faults, with real processes: racing lock takers, stale locks of dead pids and
 * silent hosts, two runners on one plan (each run trained once), a runner waiting for a dependency that another
 * runner holds (and taking it over when that runner is killed), and workers dying with their runner on SIGINT, SIGTERM
 * and kill -9.
 */
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { acquireLock, inspectLock, LOCK_FILE, LOCKED_EXIT_CODE, pidAlive, type LockInfo } from '../../src/experiments/lock';
import { readRunResult } from '../../src/experiments/cache';
import { getProfile } from '../../src/experiments/profiles';
import { lmMethods, lmRunConfig } from '../../src/experiments/configs';

const ROOT = path.join(__dirname, '..', '..');
const FIX = path.join(__dirname, '..', 'fixtures', 'lock');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'seqpe-lock-'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const lockOf = (dir: string): LockInfo => JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8'));
const writeLock = (dir: string, info: Partial<LockInfo>, ageMs = 0) => {
  const file = path.join(dir, LOCK_FILE);
  fs.writeFileSync(file, JSON.stringify({ pid: 1, host: os.hostname(), startedAt: '2025-01-01T00:00:00.000Z', token: 'old', ...info }));
  const t = new Date(Date.now() - ageMs);
  fs.utimesSync(file, t, t);
};
/** The pid of a process that has exited. */
const deadPid = (): number => {
  const r = spawnSync(process.execPath, ['-e', '']);
  expect(pidAlive(r.pid!)).toBe(false);
  return r.pid!;
};

async function until(what: string, cond: () => boolean, ms = 20_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(50);
  }
}

interface Runner {
  pid: number;
  events: () => Array<{ type: string; job?: string; note?: string; message?: string; done?: string[]; skipped?: string[] }>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts test/fixtures/lock/runner.ts on the folders (spec "dir" or "dir=dep,dep"). */
function startRunner(worker: string, concurrency: number, specs: string[], env: Record<string, string> = {}): Runner {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(FIX, 'runner.ts'), worker, String(concurrency), ...specs], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.on('exit', (code, signal) => {
      if (code !== 0 && signal === null) console.log(`runner ${child.pid} exited ${code}:\n${out}\n${err}`);
      res({ code, signal });
    }),
  );
  return {
    pid: child.pid!,
    events: () => out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)),
    exit,
  };
}

const trainedBy = (dir: string): number[] => {
  const f = path.join(dir, 'trained.txt');
  return fs.existsSync(f) ? fs.readFileSync(f, 'utf8').trim().split('\n').map(Number) : [];
};

describe('run-folder lock', () => {
  it('takes a free folder, refuses a held one, and releases only its own lock', () => {
    const dir = tmp();
    const a = acquireLock(dir);
    if (!('lock' in a)) throw new Error(a.reason);
    expect(lockOf(dir)).toMatchObject({ pid: process.pid, host: os.hostname(), token: a.lock.info.token });
    expect(a.lock.info.token).toMatch(/^[0-9a-f]{32}$/);
    const b = acquireLock(dir);
    expect('lock' in b).toBe(false);
    if (!('lock' in b)) expect(b.reason).toBe(`locked by pid ${process.pid} on ${os.hostname()} since ${a.lock.info.startedAt}`);
    // someone else's lock in the file: release must not delete it
    writeLock(dir, { pid: process.pid, token: 'theirs' });
    a.lock.release();
    expect(lockOf(dir).token).toBe('theirs');
    fs.rmSync(path.join(dir, LOCK_FILE));
    const c = acquireLock(dir);
    if (!('lock' in c)) throw new Error(c.reason);
    c.lock.release();
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    expect(fs.readdirSync(dir)).toEqual([]); // the takeover guard is gone too
  });

  it('a lock of a dead pid on this host is taken over at once; a live pid holds it', () => {
    const dir = tmp();
    const pid = deadPid();
    writeLock(dir, { pid });
    expect(inspectLock(dir)).toMatchObject({ state: 'stale', reason: `pid ${pid} is not running on ${os.hostname()}` });
    const r = acquireLock(dir);
    if (!('lock' in r)) throw new Error(r.reason);
    expect(r.tookOver).toBe(`pid ${pid} on ${os.hostname()} since 2025-01-01T00:00:00.000Z: pid ${pid} is not running on ${os.hostname()}`);
    expect(lockOf(dir).token).toBe(r.lock.info.token);
    r.lock.release();
    writeLock(dir, { pid: process.pid }, 60 * 60_000); // alive here: held even if its heartbeat is old… up to staleMs
    expect(inspectLock(dir, { staleMs: 2 * 60 * 60_000 }).state).toBe('held');
    expect(inspectLock(dir, { staleMs: 30 * 60_000 }).state).toBe('stale');
  });

  it('a zombie holder (exited, not yet reaped by its new parent) counts as dead (Linux /proc)', (ctx) => {
    if (!fs.existsSync('/proc/self/stat')) return ctx.skip();
    const c = spawn('true');
    const t0 = Date.now();
    while (Date.now() - t0 < 500) {
      /* block the event loop so node cannot reap the child: it stays a zombie */
    }
    expect(() => process.kill(c.pid!, 0)).not.toThrow(); // kill(0) alone would call it alive
    expect(pidAlive(c.pid!)).toBe(false);
    expect(pidAlive(process.pid)).toBe(true);
  });

  it('another host: held while its heartbeat is fresh, taken over once it is older than staleMs', () => {
    const dir = tmp();
    writeLock(dir, { pid: 999_999_999, host: 'other-machine' }, 5 * 60_000);
    const held = acquireLock(dir, { staleMs: 10 * 60_000 });
    expect('lock' in held).toBe(false);
    if (!('lock' in held)) expect(held.reason).toMatch(/^locked by pid 999999999 on other-machine since /);
    writeLock(dir, { pid: 999_999_999, host: 'other-machine' }, 11 * 60_000);
    const r = acquireLock(dir, { staleMs: 10 * 60_000 });
    if (!('lock' in r)) throw new Error(r.reason);
    expect(r.tookOver).toMatch(/^pid 999999999 on other-machine since .*: its heartbeat is 660 s old \(limit 600 s\)$/);
    r.lock.release();
    // SEQPE_LOCK_STALE_S sets the default limit; nonsense is refused, naming it
    process.env.SEQPE_LOCK_STALE_S = '30';
    try {
      writeLock(dir, { host: 'other-machine' }, 31_000);
      expect(inspectLock(dir).state).toBe('stale');
      process.env.SEQPE_LOCK_STALE_S = 'soon';
      expect(() => inspectLock(dir)).toThrow('SEQPE_LOCK_STALE_S=soon must be a positive number of seconds');
    } finally {
      delete process.env.SEQPE_LOCK_STALE_S;
    }
  });

  it('an unreadable lock (owner died mid-write) is held for 10 s, then taken over', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, LOCK_FILE), '{"pid": 12');
    expect(inspectLock(dir).state).toBe('held');
    const t = new Date(Date.now() - 11_000);
    fs.utimesSync(path.join(dir, LOCK_FILE), t, t);
    const r = acquireLock(dir);
    if (!('lock' in r)) throw new Error(r.reason);
    expect(r.tookOver).toMatch(/unreadable and 11 s old/);
    r.lock.release();
  });

  it('the heartbeat refreshes the mtime, and reports the loss when another process has replaced the lock', async () => {
    const dir = tmp();
    const r = acquireLock(dir, { heartbeatMs: 30 });
    if (!('lock' in r)) throw new Error(r.reason);
    const file = path.join(dir, LOCK_FILE);
    const old = new Date(Date.now() - 120_000);
    fs.utimesSync(file, old, old);
    let lost: LockInfo | undefined | 'no' = 'no';
    r.lock.startHeartbeat((h) => (lost = h));
    await until('a heartbeat', () => Date.now() - fs.statSync(file).mtimeMs < 10_000, 5000);
    expect(lost).toBe('no');
    writeLock(dir, { pid: 4242, host: 'b', token: 'successor' });
    await until('the loss to be noticed', () => lost !== 'no', 5000);
    expect(lost).toMatchObject({ pid: 4242, token: 'successor' });
    r.lock.release();
    expect(lockOf(dir).token).toBe('successor');
  });

  it('racing processes: exactly one takes a free folder, exactly one takes over a stale lock (5 racers, 2 rounds each)', async () => {
    for (let round = 0; round < 2; round++) {
      for (const stale of [false, true]) {
        const dir = tmp();
        if (stale) writeLock(dir, { pid: deadPid() });
        const start = Date.now() + 2500; // every racer has started (tsx load) before this
        const outs: string[] = Array(5).fill('');
        const exits = outs.map((_, i) =>
          new Promise<void>((res) => {
            const c = spawn(process.execPath, ['--import', 'tsx', path.join(FIX, 'acquire.ts'), dir, String(start)], { cwd: ROOT });
            c.stdout.on('data', (d) => (outs[i] += d));
            c.on('exit', () => res());
          }),
        );
        // the winner stays alive (its lock held) until every racer has tried
        await until('every racer to try', () => outs.every((o) => o.includes('\n')), 30_000);
        fs.writeFileSync(`${dir}.done`, '');
        await Promise.all(exits);
        const results = outs.map((l) => JSON.parse(l) as { got: boolean; token?: string; tookOver?: string | null });
        const winners = results.filter((x) => x.got);
        expect(winners.length, JSON.stringify(results)).toBe(1);
        expect(lockOf(dir).token).toBe(winners[0].token);
        expect(winners[0].tookOver !== null).toBe(stale);
        expect(fs.readdirSync(dir).sort()).toEqual([LOCK_FILE]);
      }
    }
  }, 120_000);

  it('the real worker refuses a folder locked by a live process with exit code 75, naming the holder', () => {
    const dir = tmp();
    const r = acquireLock(dir);
    if (!('lock' in r)) throw new Error(r.reason);
    const w = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'experiments', 'worker.ts'), dir], { cwd: ROOT, encoding: 'utf8' });
    expect(w.status, w.stderr).toBe(LOCKED_EXIT_CODE);
    expect(w.stderr).toContain(`run folder ${dir} is in use: locked by pid ${process.pid} on ${os.hostname()} since ${r.lock.info.startedAt}; not running it here`);
    expect(lockOf(dir).token).toBe(r.lock.info.token);
    r.lock.release();
  }, 30_000);
});

describe('two runners on one results folder', () => {
  it('real workers on a tiny LM plan: every run is trained exactly once, the second runner says which it skipped', async () => {
    const root = tmp();
    const p = getProfile('quick');
    const dirs = [1, 2, 3].map((seed) => {
      const cfg = lmRunConfig(p, lmMethods(p)[1], seed);
      cfg.train.steps = 2;
      cfg.train.warmup = 0;
      cfg.eval.lengths = [32];
      cfg.eval.tokens = 128;
      const dir = path.join(root, `lm-${seed}`);
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(cfg));
      return dir;
    });
    const worker = path.join(ROOT, 'src', 'experiments', 'worker.ts');
    const a = startRunner(worker, 1, dirs);
    const b = startRunner(worker, 1, dirs);
    expect((await a.exit).code).toBe(0);
    expect((await b.exit).code).toBe(0);
    for (const d of dirs) {
      const log = fs.readFileSync(path.join(d, 'run.log'), 'utf8');
      // trainInFolder prints "run <folder>: lm · …" once per training
      expect(log.split(`run ${path.basename(d)}: lm · Sinusoidal`).length - 1, log).toBe(1);
      expect(readRunResult(d, 'lm').status).toBe('valid');
      expect(fs.existsSync(path.join(d, LOCK_FILE))).toBe(false);
    }
    // every run is accounted for by one runner's 'done' (trained or found finished) or a 'skip' naming the holder
    const all = [...a.events(), ...b.events()];
    const trained = all.filter((e) => e.type === 'done').length;
    const skips = all.filter((e) => e.type === 'skip');
    expect(trained + skips.length).toBe(6);
    for (const s of skips) expect(s.note).toMatch(new RegExp(`^locked by pid \\d+ on ${os.hostname()} since `));
  }, 120_000);

  it('a runner waits for a dependency another runner holds, then runs its own job; it takes the dependency over when that runner is killed', async () => {
    const root = tmp();
    const fake = path.join(FIX, 'fake-worker.ts');
    // (1) the other runner finishes the dependency
    const [lm, qa] = ['lm', 'qa'].map((n) => {
      fs.mkdirSync(path.join(root, n));
      return path.join(root, n);
    });
    const a = startRunner(fake, 1, [lm], { FAKE_TRAIN_MS: '2500' });
    await until('runner A to train lm', () => trainedBy(lm).length === 1);
    const b = startRunner(fake, 1, [lm, `${qa}=${lm}`], { FAKE_TRAIN_MS: '200' });
    expect((await a.exit).code).toBe(0);
    expect((await b.exit).code).toBe(0);
    expect(trainedBy(lm)).toHaveLength(1);
    expect(trainedBy(qa)).toHaveLength(1);
    const ev = b.events().filter((e) => e.job);
    expect(ev.map((e) => `${e.type}:${e.job}`)).toEqual(['wait:lm', 'done:lm', 'start:qa', 'done:qa']);
    expect(ev[0].note).toMatch(/^locked by pid \d+ on /);
    expect(ev[1].note).toBe('finished by another runner');

    // (2) the other runner is killed while B waits: its worker dies with it, the lock goes, B trains lm itself
    const root2 = tmp();
    const [lm2, qa2] = ['lm', 'qa'].map((n) => {
      fs.mkdirSync(path.join(root2, n));
      return path.join(root2, n);
    });
    const a2 = startRunner(fake, 1, [lm2], { FAKE_TRAIN_MS: '60000' });
    await until('runner A to train lm', () => trainedBy(lm2).length === 1);
    const b2 = startRunner(fake, 1, [lm2, `${qa2}=${lm2}`], { FAKE_TRAIN_MS: '200' });
    await until('runner B to wait', () => b2.events().some((e) => e.type === 'wait'));
    process.kill(a2.pid, 'SIGKILL');
    expect((await b2.exit).code).toBe(0);
    const [first, second] = trainedBy(lm2);
    expect(pidAlive(first)).toBe(false);
    expect(second).toBeGreaterThan(0);
    expect(trainedBy(qa2)).toHaveLength(1);
    expect(b2.events().filter((e) => e.job).map((e) => `${e.type}:${e.job}`)).toEqual(['wait:lm', 'start:lm', 'done:lm', 'start:qa', 'done:qa']);
  }, 120_000);
});

describe('workers die with their runner', () => {
  for (const sig of ['SIGKILL', 'SIGTERM', 'SIGINT'] as const) {
    it(`${sig} to the runner: no worker survives, no lock is left, nothing is marked done`, async () => {
      const root = tmp();
      const dirs = ['a', 'b'].map((n) => {
        fs.mkdirSync(path.join(root, n));
        return path.join(root, n);
      });
      const r = startRunner(path.join(FIX, 'fake-worker.ts'), 2, dirs, { FAKE_TRAIN_MS: '60000' });
      await until('both workers to start', () => dirs.every((d) => trainedBy(d).length === 1));
      const workers = dirs.map((d) => trainedBy(d)[0]);
      expect(workers.every(pidAlive)).toBe(true);
      process.kill(r.pid, sig);
      const exit = await r.exit;
      if (sig === 'SIGKILL') expect(exit.signal).toBe('SIGKILL');
      else {
        expect(exit.code).toBe(1);
        expect(r.events().find((e) => e.type === 'error')?.message).toMatch(new RegExp(`^interrupted by ${sig}: stopped 2 running worker\\(s\\)`));
      }
      await until('the workers to exit', () => !workers.some(pidAlive), 10_000);
      for (const d of dirs) {
        expect(fs.existsSync(path.join(d, LOCK_FILE)), d).toBe(false);
        expect(fs.existsSync(path.join(d, 'result.json'))).toBe(false);
      }
    }, 60_000);
  }
});
