/**
 * One owner per run folder: `<run folder>/lock.json` holds {pid, host, startedAt, token} of the process that trains in
 * the folder (the worker, not the runner that spawned it, so the lock names the process that actually writes).
 *
 * Taking it: open with O_CREAT|O_EXCL ('wx'), which is atomic on local disks and on NFS v3 and later, so it also holds
 * for several machines sharing one results folder (`--shard`); no rename trick, which is atomic on one host only.
 * After writing, the owner reads the file back and keeps the lock only if the token is its own.
 *
 * Heartbeat: the owner touches the file's mtime every `heartbeatMs` (default 30 s) and first checks that the token is
 * still its own; if not, it has lost the folder and must stop (onLost).
 *
 * Stale (decided here):
 *   - same host and the pid is not running → stale at once (the pid check is exact on one host);
 *   - any host and the heartbeat is older than `staleMs` (default 15 min, env SEQPE_LOCK_STALE_S) → stale. The limit is
 *     generous because a worker's heartbeat timer only fires between training steps, and evaluation runs synchronously
 *     for minutes; it also absorbs clock skew between machines;
 *   - an unreadable lock (its owner died between creating and writing it) → stale once older than 10 s.
 * A pid reused by another process after a crash keeps the lock held until the heartbeat limit: safe, only slower.
 *
 * Takeover of a stale lock: under a second O_EXCL file, `lock.json.takeover` (one taker at a time), re-read the lock;
 * only if it still holds the stale token, delete it and create a fresh one; then read back and check the token is ours.
 * Release goes through the same guard, so an owner that was wrongly judged stale never deletes its successor's lock.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const LOCK_FILE = 'lock.json';
/** Exit status of a worker that found its run folder locked by another process (EX_TEMPFAIL). */
export const LOCKED_EXIT_CODE = 75;

export interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
  token: string;
}

export interface LockOptions {
  /** A heartbeat older than this marks the lock stale, on any host. Default 15 min or SEQPE_LOCK_STALE_S. */
  staleMs?: number;
  /** How often the owner refreshes the heartbeat. Default 30 s. */
  heartbeatMs?: number;
}

export type LockState =
  | { state: 'free' }
  | { state: 'held'; info?: LockInfo; ageMs: number }
  | { state: 'stale'; info?: LockInfo; reason: string };

const UNREADABLE_GRACE_MS = 10_000;
const TAKEOVER_GRACE_MS = 30_000;

export function defaultStaleMs(): number {
  const env = process.env.SEQPE_LOCK_STALE_S;
  if (env === undefined || env === '') return 15 * 60_000;
  const s = Number(env);
  if (!(s > 0) || !Number.isFinite(s)) throw new Error(`SEQPE_LOCK_STALE_S=${env} must be a positive number of seconds`);
  return s * 1000;
}

export function lockPath(dir: string): string {
  return path.join(dir, LOCK_FILE);
}

/** "pid 123 on host h since <time>", or a note that the lock could not be read. */
export function describeHolder(info?: LockInfo): string {
  return info ? `pid ${info.pid} on ${info.host} since ${info.startedAt}` : 'an owner whose lock file is unreadable';
}

function readInfo(file: string): LockInfo | undefined {
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LockInfo>;
    if (typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.token === 'string' && typeof v.startedAt === 'string') return v as LockInfo;
  } catch {
    /* missing, partly written or not JSON */
  }
  return undefined;
}

/**
 * Whether `pid` is a running process on this host (EPERM: it runs, as another user). A zombie (exited, not yet reaped:
 * an orphaned worker whose new parent reaps lazily) counts as dead: on Linux its /proc state is 'Z'.
 */
export function pidAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // "pid (comm) S …": the state follows the last ')' (comm may itself contain parentheses)
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (not Linux) or it just went away: trust kill(0)
  }
}

/** The state of a folder's lock by the rules in the file comment. */
export function inspectLock(dir: string, opts: LockOptions = {}): LockState {
  const file = lockPath(dir);
  let mtimeMs: number;
  try {
    mtimeMs = fs.statSync(file).mtimeMs;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'free' };
    throw e;
  }
  const info = readInfo(file);
  const ageMs = Date.now() - mtimeMs;
  const staleMs = opts.staleMs ?? defaultStaleMs();
  if (!info) {
    return ageMs > UNREADABLE_GRACE_MS ? { state: 'stale', reason: `its lock file is unreadable and ${(ageMs / 1000).toFixed(0)} s old` } : { state: 'held', ageMs };
  }
  if (info.host === os.hostname() && !pidAlive(info.pid)) return { state: 'stale', info, reason: `pid ${info.pid} is not running on ${info.host}` };
  if (ageMs > staleMs) {
    return { state: 'stale', info, reason: `its heartbeat is ${(ageMs / 1000).toFixed(0)} s old (limit ${(staleMs / 1000).toFixed(0)} s)` };
  }
  return { state: 'held', info, ageMs };
}

/** Creates the lock file with O_EXCL; false if it exists. */
function createExclusive(file: string, info: LockInfo): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx', 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new Error(`cannot create the run-folder lock ${file}: ${(e as Error).message}`);
  }
  try {
    const bytes = Buffer.from(JSON.stringify(info), 'utf8');
    let off = 0;
    while (off < bytes.length) off += fs.writeSync(fd, bytes, off, bytes.length - off);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

/** Runs `fn` holding `<lock>.takeover` (O_EXCL); undefined if another process holds it. */
function underTakeoverGuard<T>(file: string, fn: () => T): T | undefined {
  const guard = `${file}.takeover`;
  const take = (): boolean => {
    try {
      fs.closeSync(fs.openSync(guard, 'wx'));
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    }
  };
  if (!take()) {
    // A taker that died inside the guard would block takeovers forever; a guard is held for milliseconds.
    try {
      if (Date.now() - fs.statSync(guard).mtimeMs < TAKEOVER_GRACE_MS) return undefined;
      fs.rmSync(guard, { force: true });
    } catch {
      /* gone meanwhile */
    }
    if (!take()) return undefined;
  }
  try {
    return fn();
  } finally {
    fs.rmSync(guard, { force: true });
  }
}

export class RunLock {
  private timer?: NodeJS.Timeout;
  private released = false;

  constructor(
    readonly dir: string,
    readonly info: LockInfo,
    private readonly opts: LockOptions = {},
  ) {}

  get file(): string {
    return lockPath(this.dir);
  }

  /** Whether the lock file still carries this owner's token. */
  stillOwned(): boolean {
    return readInfo(this.file)?.token === this.info.token;
  }

  /** Refreshes the heartbeat now; false (nothing touched) if the lock is no longer ours. */
  beat(): boolean {
    if (this.released || !this.stillOwned()) return false;
    const now = new Date();
    fs.utimesSync(this.file, now, now);
    return true;
  }

  /** Beats every heartbeatMs (timer unref'd); calls onLost once if the lock turns out to belong to someone else. */
  startHeartbeat(onLost: (holder?: LockInfo) => void): void {
    this.stopHeartbeat();
    this.timer = setInterval(() => {
      if (!this.released && !this.beat()) {
        this.stopHeartbeat();
        onLost(readInfo(this.file));
      }
    }, this.opts.heartbeatMs ?? 30_000);
    this.timer.unref();
  }

  stopHeartbeat(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Deletes the lock file if it is still ours (under the takeover guard). Idempotent; synchronous, for exit handlers. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.stopHeartbeat();
    underTakeoverGuard(this.file, () => {
      if (this.stillOwned()) fs.rmSync(this.file, { force: true });
    });
  }
}

export type AcquireResult = { lock: RunLock; tookOver?: string } | { heldBy?: LockInfo; reason: string };

/**
 * Takes the folder's lock, or reports who holds it. A stale lock is taken over (see the file comment); `tookOver`
 * then says whose and why.
 */
export function acquireLock(dir: string, opts: LockOptions = {}): AcquireResult {
  const file = lockPath(dir);
  const info: LockInfo = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString(), token: randomBytes(16).toString('hex') };
  const mine = (): RunLock | undefined => (readInfo(file)?.token === info.token ? new RunLock(dir, info, opts) : undefined);
  for (let attempt = 0; attempt < 3; attempt++) {
    if (createExclusive(file, info)) {
      const lock = mine();
      if (lock) return { lock };
      return { heldBy: readInfo(file), reason: 'another process replaced the lock just after it was created' };
    }
    const st = inspectLock(dir, opts);
    if (st.state === 'held') return { heldBy: st.info, reason: `locked by ${describeHolder(st.info)}` };
    if (st.state === 'free') continue; // released between our attempt and the look: try again
    const staleToken = st.info?.token;
    const took = underTakeoverGuard(file, () => {
      const now = readInfo(file);
      if (now?.token !== staleToken) return false; // replaced (or released) meanwhile: not the lock we judged stale
      fs.rmSync(file, { force: true });
      return createExclusive(file, info);
    });
    if (took === undefined) return { heldBy: st.info, reason: `another process is taking over the stale lock of ${describeHolder(st.info)}` };
    if (took) {
      const lock = mine();
      if (lock) return { lock, tookOver: `${describeHolder(st.info)}: ${st.reason}` };
      return { heldBy: readInfo(file), reason: 'another process replaced the lock during the takeover' };
    }
  }
  const st = inspectLock(dir, opts);
  return { heldBy: st.state === 'free' ? undefined : st.info, reason: 'the lock changed hands repeatedly while trying to take it' };
}

const SIGNALS: Array<[NodeJS.Signals, number]> = [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]];

/**
 * Takes the lock for the life of this process's work in the folder: heartbeat running, released on process exit and on
 * SIGINT/SIGTERM/SIGHUP (which then exit with 128 + the signal number), and on `release()`. Throws RunFolderLockedError
 * when another process holds it.
 */
export function holdRunFolder(dir: string, opts: LockOptions & { log?: (line: string) => void } = {}): RunLock {
  const r = acquireLock(dir, opts);
  if (!('lock' in r)) throw new RunFolderLockedError(dir, r.heldBy, r.reason);
  const lock = r.lock;
  if (r.tookOver) opts.log?.(`took over the stale lock of ${dir} (${r.tookOver})`);
  const onExit = (): void => lock.release();
  const onSignal = (sig: NodeJS.Signals): void => {
    lock.release();
    process.exit(128 + (SIGNALS.find(([s]) => s === sig)?.[1] ?? 0));
  };
  process.on('exit', onExit);
  for (const [s] of SIGNALS) process.on(s, onSignal);
  lock.startHeartbeat((holder) => {
    console.error(`lost the lock of run folder ${dir} to ${describeHolder(holder)}; stopping so that only one process writes there`);
    process.exit(1);
  });
  const release = lock.release.bind(lock);
  lock.release = () => {
    release();
    process.off('exit', onExit);
    for (const [s] of SIGNALS) process.off(s, onSignal);
  };
  return lock;
}

export class RunFolderLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly holder: LockInfo | undefined,
    reason: string,
  ) {
    super(`run folder ${dir} is in use: ${reason}; not running it here`);
    this.name = 'RunFolderLockedError';
  }
}
