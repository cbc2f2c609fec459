/**
 * scripts/wait-dpkg-lock.sh (what `npm run setup` runs before apt-get): it must wait while another process holds a lock
 * file and go on once it is released, give up with the holder's pid after the timeout, and see both kinds of lock —
 * flock(2) (what `flock` takes) and POSIX fcntl locks (what dpkg and apt take). Real lock files are never touched: the
 * script watches the files named in SEQPE_DPKG_LOCKS.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const SCRIPT = path.resolve(__dirname, '../../scripts/wait-dpkg-lock.sh');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seqpe-lock-'));
const holders: ChildProcess[] = [];
const hasPosixLocker = fs.existsSync('/usr/bin/python3');

afterEach(() => {
  for (const h of holders.splice(0)) if (h.exitCode === null) h.kill('SIGKILL');
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Wait until /proc/locks lists a lock held by `pid` (so the script under test cannot start before the lock exists). */
async function lockVisible(pid: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (fs.readFileSync('/proc/locks', 'utf8').split('\n').some((l) => l.split(/\s+/)[4] === String(pid))) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`pid ${pid} never showed a lock in /proc/locks`);
}

function run(locks: string, timeout: string, extra: Record<string, string> = {}) {
  return spawnSync('bash', [SCRIPT, timeout], {
    encoding: 'utf8', env: { ...process.env, SEQPE_DPKG_LOCKS: locks, SEQPE_APT_LOCK_POLL: '0.1', ...extra },
  });
}

describe('wait-dpkg-lock.sh', () => {
  it('returns at once, silently, when no lock is held (and when a lock file does not exist)', () => {
    const f = path.join(dir, 'free');
    fs.writeFileSync(f, '');
    const r = run(`${f} ${path.join(dir, 'missing')}`, '5');
    expect(r.status).toBe(0);
    expect(r.stdout + r.stderr).toBe('');
  });

  it('waits for a flock(2) holder to let go, then proceeds', async () => {
    const f = path.join(dir, 'flock');
    fs.writeFileSync(f, '');
    const h = spawn('flock', ['-x', f, 'sleep', '1.5'], { stdio: 'ignore' });
    holders.push(h);
    await lockVisible(h.pid!);
    const r = run(f, '60');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${f} is held by pid ${h.pid} (flock -x ${f} sleep 1.5)`);
    expect(r.stdout).toMatch(/lock free after \d+ s/);
    // it returned only once the holder had gone: the holder is dead now (or exiting: its lock is gone either way)
    const stillLocked = fs.readFileSync('/proc/locks', 'utf8').split('\n').some((l) => l.split(/\s+/)[4] === String(h.pid));
    expect(stillLocked).toBe(false);
  });

  it.skipIf(!hasPosixLocker)('sees a POSIX (fcntl) lock like dpkg\'s and gives up after the timeout, naming the holder', async () => {
    const f = path.join(dir, 'posix');
    fs.writeFileSync(f, '');
    const h = spawn('/usr/bin/python3', ['-c',
      `import fcntl,time\nf=open(${JSON.stringify(f)},'w')\nfcntl.lockf(f,fcntl.LOCK_EX)\ntime.sleep(60)`], { stdio: 'ignore' });
    holders.push(h);
    await lockVisible(h.pid!);
    const r = run(`${path.join(dir, 'missing')} ${f}`, '1');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`gave up after 1 s: ${f} is held by pid ${h.pid}`);
    expect(r.stderr).toContain('SEQPE_APT_LOCK_TIMEOUT');
    expect(alive(h.pid!)).toBe(true);   // it only looked: the holder is untouched
  });

  it('rejects a timeout or poll interval that is not a number, naming it', () => {
    const bad = run('/nonexistent', 'ten');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("timeout 'ten' is not a whole number of seconds");
    const badPoll = run('/nonexistent', '5', { SEQPE_APT_LOCK_POLL: '0' });
    expect(badPoll.status).toBe(2);
    expect(badPoll.stderr).toContain("SEQPE_APT_LOCK_POLL='0'");
  });
});
