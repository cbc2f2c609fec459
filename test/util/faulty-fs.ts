/** File-system layers for fault injection: the real fs, with chosen calls failing or writing short. */
import { nodeFs, type AtomicFs } from '../../src/util/atomic-write';

/** An Error shaped like Node's errno errors (code, syscall). */
export function errnoError(code: string, syscall: string): NodeJS.ErrnoException {
  const e = new Error(`${code}: injected fault, ${syscall}`) as NodeJS.ErrnoException;
  e.code = code;
  e.syscall = syscall;
  return e;
}

/** The real fs with some calls replaced. */
export function faultyFs(overrides: Partial<AtomicFs>): AtomicFs {
  return { ...nodeFs, ...overrides };
}

/** writeSync that writes at most `max` bytes per call (really writing them), as a nearly full disk may do. */
export function shortWrites(max: number): Partial<AtomicFs> {
  return { writeSync: (fd, buf, offset, length) => nodeFs.writeSync(fd, buf, offset, Math.min(length, max)) };
}

/** writeSync that really writes `before` bytes in total (in short pieces) and then fails with ENOSPC. */
export function diskFullAfter(before: number): Partial<AtomicFs> {
  let written = 0;
  return {
    writeSync: (fd, buf, offset, length) => {
      const room = before - written;
      if (room <= 0) throw errnoError('ENOSPC', 'write');
      const n = nodeFs.writeSync(fd, buf, offset, Math.min(length, room));
      written += n;
      return n;
    },
  };
}

/** A layer that fails the `nth` (1-based) call of `op` with `code`, and records the order of every call. */
export function failingCall(op: keyof AtomicFs, code: string, nth = 1): { io: AtomicFs; calls: string[] } {
  const calls: string[] = [];
  let seen = 0;
  const io = {} as Record<keyof AtomicFs, unknown>;
  for (const k of Object.keys(nodeFs) as (keyof AtomicFs)[]) {
    io[k] = (...args: unknown[]) => {
      calls.push(k);
      if (k === op && ++seen === nth) throw errnoError(code, k);
      return (nodeFs[k] as (...a: unknown[]) => unknown)(...args);
    };
  }
  return { io: io as unknown as AtomicFs, calls };
}
