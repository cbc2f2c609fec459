/**
 * writeFileAtomic: the whole file or nothing. Faults are injected through the fs layer (short writes, a write that makes
 * no progress, ENOSPC mid-write, failing fsync / close / rename / open) and, where this runs as root, by a real tmpfs
 * that fills up; in every case the previous file must survive byte-identical and no temporary file may be left.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AtomicWriteError, nodeFs, writeFileAtomic, type AtomicFs } from '../../src/util/atomic-write';
import { Rng } from '../../src/util/rng';
import { diskFullAfter, errnoError, failingCall, faultyFs, shortWrites } from './faulty-fs';
import { mountTinyTmpfs, type TinyTmpfs } from './tiny-tmpfs';

const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'seqpe-atomic-'));

function randomBytes(n: number, seed: number): Buffer {
  const r = new Rng(seed);
  return Buffer.from(Array.from({ length: n }, () => r.int(0, 256)));
}

/** A folder holding `name` with known old bytes. */
function withOldFile(name = 'state.bin', oldSize = 5000): { dir: string; file: string; old: Buffer } {
  const dir = tmpDir();
  const file = path.join(dir, name);
  const old = randomBytes(oldSize, 1);
  fs.writeFileSync(file, old);
  return { dir, file, old };
}

function expectFailure(fn: () => void, file: string, code: RegExp): AtomicWriteError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(AtomicWriteError);
  const err = caught as AtomicWriteError;
  expect(err.path).toBe(file);
  expect(err.message).toContain(file);
  expect(err.message).toMatch(code);
  return err;
}

describe('writeFileAtomic on a healthy disk', () => {
  it('writes strings, buffers and chunk lists byte-exactly, replaces the old file, and leaves no temporary file', () => {
    const { dir, file } = withOldFile();
    writeFileAtomic(file, 'héllo ✓');
    expect(fs.readFileSync(file, 'utf8')).toBe('héllo ✓');
    const data = randomBytes(12345, 2);
    writeFileAtomic(file, data);
    expect(fs.readFileSync(file).equals(data)).toBe(true);
    writeFileAtomic(file, [data.subarray(0, 10), new Uint8Array(0), data.subarray(10, 5000), data.subarray(5000)]);
    expect(fs.readFileSync(file).equals(data)).toBe(true);
    expect(fs.readdirSync(dir)).toEqual(['state.bin']);
    const nested = path.join(dir, 'a', 'b', 'c.json');
    writeFileAtomic(nested, '{}');
    expect(fs.readFileSync(nested, 'utf8')).toBe('{}');
  });

  it('fsyncs the file, then its folder, before the rename, and the folder again after it', () => {
    const { file } = withOldFile();
    const rec = failingCall('renameSync', 'never', Infinity);
    writeFileAtomic(file, Buffer.from('abc'), rec.io);
    expect(rec.calls).toEqual([
      'mkdirSync',
      'openSync', 'writeSync', 'fsyncSync', 'closeSync', // the temporary file
      'openSync', 'fsyncSync', 'closeSync', // its folder
      'renameSync',
      'openSync', 'fsyncSync', 'closeSync', // the folder again: the new name is durable
    ]);
  });

  it('loops over short writes until every byte is written (7 bytes per call here)', () => {
    const { dir, file } = withOldFile();
    const data = randomBytes(20000, 3);
    let calls = 0;
    const short = shortWrites(7).writeSync!;
    writeFileAtomic(file, [data.subarray(0, 3), data.subarray(3)], faultyFs({ writeSync: (...a) => (calls++, short(...a)) }));
    expect(fs.readFileSync(file).equals(data)).toBe(true);
    expect(calls).toBe(1 + Math.ceil((20000 - 3) / 7));
    expect(fs.readdirSync(dir)).toEqual(['state.bin']);
  });
});

describe('writeFileAtomic under injected faults keeps the old file byte-identical', () => {
  // `code`: what the error message says; `cause`: the underlying error kept in err.cause.
  const cases: { what: string; io: () => AtomicFs; code: RegExp; cause: RegExp }[] = [
    { what: 'a write that makes no progress (returns 0)', io: () => faultyFs({ writeSync: () => 0 }), code: /write returned 0 after 0 of 20000 bytes/, cause: /no progress/ },
    { what: 'ENOSPC mid-write (after 8 KiB really written)', io: () => faultyFs(diskFullAfter(8192)), code: /ENOSPC/, cause: /^ENOSPC/ },
    { what: 'ENOSPC at the first write', io: () => faultyFs(diskFullAfter(0)), code: /ENOSPC/, cause: /^ENOSPC/ },
    { what: 'a failing fsync of the file', io: () => failingCall('fsyncSync', 'EIO', 1).io, code: /EIO: injected fault, fsyncSync/, cause: /^EIO/ },
    { what: 'a failing close of the file', io: () => failingCall('closeSync', 'EIO', 1).io, code: /EIO/, cause: /closeSync/ },
    { what: 'a failing fsync of the folder', io: () => failingCall('fsyncSync', 'EIO', 2).io, code: /EIO/, cause: /fsyncSync/ },
    { what: 'a failing rename', io: () => failingCall('renameSync', 'EXDEV', 1).io, code: /EXDEV/, cause: /renameSync/ },
    { what: 'a temporary file that cannot be created', io: () => failingCall('openSync', 'EMFILE', 1).io, code: /EMFILE/, cause: /openSync/ },
    { what: 'a folder that cannot be created', io: () => failingCall('mkdirSync', 'EACCES', 1).io, code: /cannot create its folder.*EACCES/, cause: /mkdirSync/ },
  ];
  for (const c of cases) {
    it(c.what, () => {
      const { dir, file, old } = withOldFile();
      const err = expectFailure(() => writeFileAtomic(file, randomBytes(20000, 4), c.io()), file, c.code);
      expect((err.cause as Error).message).toMatch(c.cause);
      expect(fs.readFileSync(file).equals(old)).toBe(true);
      expect(fs.readdirSync(dir)).toEqual(['state.bin']);
    });
  }

  it('with no previous file, a failed write leaves no file at all', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'new.json');
    expectFailure(() => writeFileAtomic(file, '{"a":1}', faultyFs(diskFullAfter(3))), file, /ENOSPC/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('names a temporary file it could not remove', () => {
    const { file } = withOldFile();
    const io = faultyFs({ ...diskFullAfter(10), rmSync: () => { throw errnoError('EBUSY', 'rm'); } });
    const err = expectFailure(() => writeFileAtomic(file, randomBytes(100, 5), io), file, /ENOSPC.*temporary file .*\.state\.bin\.tmp-.* could not be removed either \(EBUSY/);
    for (const f of fs.readdirSync(path.dirname(file))) if (f !== 'state.bin') fs.rmSync(path.join(path.dirname(file), f));
    expect(err.name).toBe('AtomicWriteError');
  });

  it('a folder sync failing after the rename is reported, and the file then holds the complete new bytes', () => {
    const { file } = withOldFile();
    const data = randomBytes(3000, 6);
    expectFailure(() => writeFileAtomic(file, data, failingCall('fsyncSync', 'EIO', 3).io), file, /new contents are in place, but syncing its folder .* failed: EIO/);
    expect(fs.readFileSync(file).equals(data)).toBe(true);
  });
});

describe('writeFileAtomic on a real full disk (tiny tmpfs)', () => {
  let fsys: TinyTmpfs;
  beforeAll(() => {
    fsys = mountTinyTmpfs(64 * 1024);
    if (!fsys.ok) console.log(`skipping the tmpfs full-disk test: ${fsys.reason}`);
  });
  afterAll(() => {
    if (fsys?.ok) fsys.unmount();
  });

  it('a write larger than the free space fails with ENOSPC, the old file survives and the space is given back', (ctx) => {
    if (!fsys.ok) return ctx.skip();
    const file = path.join(fsys.dir, 'ckpt.bin');
    const old = randomBytes(8192, 7);
    writeFileAtomic(file, old);
    expectFailure(() => writeFileAtomic(file, randomBytes(200 * 1024, 8)), file, /ENOSPC/);
    expect(fs.readFileSync(file).equals(old)).toBe(true);
    expect(fs.readdirSync(fsys.dir)).toEqual(['ckpt.bin']);
    // the temporary file's blocks were freed: a write that fits goes through
    const fits = randomBytes(40 * 1024, 9);
    writeFileAtomic(file, fits, nodeFs);
    expect(fs.readFileSync(file).equals(fits)).toBe(true);
  });
});
