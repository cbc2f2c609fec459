/**
 * Write a whole file or fail, never a torn one: the one way this project puts state on disk (weights, checkpoints,
 * run-cache JSON).
 *
 *   1. write every byte to a temporary file in the target's folder, looping, because `fs.writeSync` may write only part
 *      of a buffer and return the count without throwing (a nearly full disk does exactly this);
 *   2. fsync and close the temporary file, then fsync the folder, so the data is on disk before any name points at it;
 *   3. rename it over the target (atomic on POSIX within one file system), then fsync the folder again so the new name
 *      itself survives a power cut.
 *
 * Any failure in 1–3 removes the temporary file, leaves the previous file byte-identical, and throws an AtomicWriteError
 * that names the target path and the underlying cause (e.g. ENOSPC). A failure of the final folder sync is reported too
 * (the target then already holds the complete new bytes, and the message says so).
 *
 * The fs calls go through a small `AtomicFs` layer so tests can inject short writes, ENOSPC, failing fsync or rename.
 */
import * as fs from 'fs';
import * as path from 'path';

/** The fs calls an atomic write makes (the synchronous Node API, as used here). */
export interface AtomicFs {
  mkdirSync(dir: string, opts: { recursive: true }): unknown;
  openSync(file: string, flags: string, mode?: number): number;
  /** Writes up to `length` bytes of `buf` from `offset`; returns how many were written (possibly fewer). */
  writeSync(fd: number, buf: Uint8Array, offset: number, length: number): number;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
  rmSync(file: string, opts: { force: true }): void;
}

/** The real file system. */
export const nodeFs: AtomicFs = {
  mkdirSync: (dir, opts) => fs.mkdirSync(dir, opts),
  openSync: (file, flags, mode) => fs.openSync(file, flags, mode),
  writeSync: (fd, buf, offset, length) => fs.writeSync(fd, buf, offset, length, null),
  fsyncSync: (fd) => fs.fsyncSync(fd),
  closeSync: (fd) => fs.closeSync(fd),
  renameSync: (from, to) => fs.renameSync(from, to),
  rmSync: (file, opts) => fs.rmSync(file, opts),
};

/** A failed atomic write; `path` is the target, `cause` the underlying error. */
export class AtomicWriteError extends Error {
  constructor(
    readonly path: string,
    message: string,
    readonly cause: unknown,
  ) {
    super(message);
    this.name = 'AtomicWriteError';
  }
}

export type FileData = string | Uint8Array | readonly Uint8Array[];

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Loops until every byte of `buf` is written; a call that writes nothing is an error (it would loop forever). */
export function writeFully(io: AtomicFs, fd: number, buf: Uint8Array): void {
  let done = 0;
  while (done < buf.length) {
    const n = io.writeSync(fd, buf, done, buf.length - done);
    if (!Number.isInteger(n) || n <= 0 || n > buf.length - done) {
      throw new Error(`write returned ${String(n)} after ${done} of ${buf.length} bytes (no progress; disk full?)`);
    }
    done += n;
  }
}

function syncFolder(io: AtomicFs, dir: string): void {
  const fd = io.openSync(dir, 'r');
  try {
    io.fsyncSync(fd);
  } finally {
    io.closeSync(fd);
  }
}

let tmpCounter = 0;

/** Writes `data` (UTF-8 for strings; chunks back to back) to `file` atomically; see the file comment. */
export function writeFileAtomic(file: string, data: FileData, io: AtomicFs = nodeFs): void {
  const target = path.resolve(file);
  const dir = path.dirname(target);
  const chunks: readonly Uint8Array[] = typeof data === 'string' ? [Buffer.from(data, 'utf8')] : data instanceof Uint8Array ? [data] : data;
  try {
    io.mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new AtomicWriteError(file, `writing ${file} failed: cannot create its folder ${dir}: ${messageOf(e)}`, e);
  }
  // Hidden, unique per process and call, in the same folder (a rename across file systems is not atomic).
  const tmp = path.join(dir, `.${path.basename(target)}.tmp-${process.pid}-${Date.now()}-${tmpCounter++}`);
  let fd: number | undefined;
  let created = false;
  try {
    fd = io.openSync(tmp, 'wx', 0o666);
    created = true;
    for (const c of chunks) writeFully(io, fd, c);
    io.fsyncSync(fd);
    const open = fd;
    fd = undefined; // a failing close must not be retried below
    io.closeSync(open);
    syncFolder(io, dir);
    io.renameSync(tmp, target);
    created = false;
  } catch (e) {
    if (fd !== undefined) {
      try {
        io.closeSync(fd);
      } catch {
        /* the write already failed; that error is the one to report */
      }
    }
    let cleanup = '';
    if (created) {
      try {
        io.rmSync(tmp, { force: true });
      } catch (rmErr) {
        cleanup = `; the temporary file ${tmp} could not be removed either (${messageOf(rmErr)})`;
      }
    }
    throw new AtomicWriteError(file, `writing ${file} failed: ${messageOf(e)}; the previous ${path.basename(file)} (if any) is untouched${cleanup}`, e);
  }
  try {
    syncFolder(io, dir);
  } catch (e) {
    throw new AtomicWriteError(file, `writing ${file}: the new contents are in place, but syncing its folder ${dir} failed: ${messageOf(e)}`, e);
  }
}
