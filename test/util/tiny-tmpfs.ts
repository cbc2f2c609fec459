/**
 * A real, tiny file system for full-disk tests: a tmpfs of `bytes` (rounded up to 4 KiB pages) mounted on a fresh
 * temporary folder. Needs root and a kernel that allows the mount; otherwise it returns the reason, which the caller
 * prints when it skips.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export type TinyTmpfs = { ok: true; dir: string; unmount(): void } | { ok: false; reason: string };

export function mountTinyTmpfs(bytes: number): TinyTmpfs {
  if (process.platform !== 'linux') return { ok: false, reason: `tmpfs needs Linux, this is ${process.platform}` };
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return { ok: false, reason: 'mounting a tmpfs needs root' };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seqpe-tinyfs-'));
  const kib = Math.ceil(bytes / 4096) * 4;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${kib}k`, 'tmpfs', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    fs.rmdirSync(dir);
    const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim();
    return { ok: false, reason: `mount -t tmpfs -o size=${kib}k failed: ${stderr || (e as Error).message}` };
  }
  return {
    ok: true,
    dir,
    unmount: () => {
      execFileSync('umount', [dir]);
      fs.rmdirSync(dir);
    },
  };
}
