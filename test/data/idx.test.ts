import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { describe, expect, it } from 'vitest';
import { parseIdx, readIdxFile } from '../../src/data/idx';
import { DataError } from '../../src/data/errors';

/** Header bytes written by hand: 0, 0, type, rank, then big-endian uint32 dims. */
function header(type: number, dims: number[]): number[] {
  const out = [0, 0, type, dims.length];
  for (const d of dims) out.push((d >>> 24) & 255, (d >>> 16) & 255, (d >>> 8) & 255, d & 255);
  return out;
}

describe('IDX reader', () => {
  it('parses a hand-built uint8 image file [2, 2, 3] and a label file [4]', () => {
    const bytes = Uint8Array.from([...header(0x08, [2, 2, 3]), ...Array.from({ length: 12 }, (_, i) => i * 20)]);
    expect(Array.from(bytes.subarray(0, 4))).toEqual([0, 0, 8, 3]); // magic 0x00000803, as in MNIST images
    const a = parseIdx(bytes);
    expect(a.type).toBe('uint8');
    expect(a.dims).toEqual([2, 2, 3]);
    expect(Array.from(a.data)).toEqual([0, 20, 40, 60, 80, 100, 120, 140, 160, 180, 200, 220]);
    const l = parseIdx(Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 4, 7, 0, 9, 3]));
    expect(l.dims).toEqual([4]);
    expect(Array.from(l.data)).toEqual([7, 0, 9, 3]);
  });

  it('reads big-endian int16, int32 and float32 elements', () => {
    // int16 [2]: 0x0102 = 258, 0xFFFE = −2
    expect(Array.from(parseIdx(Uint8Array.from([...header(0x0b, [2]), 1, 2, 0xff, 0xfe])).data)).toEqual([258, -2]);
    // int32 [1]: 0x00010000 = 65536
    expect(Array.from(parseIdx(Uint8Array.from([...header(0x0c, [1]), 0, 1, 0, 0])).data)).toEqual([65536]);
    // float32 [1]: 0x3FC00000 = 1.5
    const f = parseIdx(Uint8Array.from([...header(0x0d, [1]), 0x3f, 0xc0, 0, 0]));
    expect(f.type).toBe('float32');
    expect(Array.from(f.data)).toEqual([1.5]);
  });

  it('reads the same content from raw and gzip files, detected by content not name', () => {
    const bytes = Uint8Array.from([...header(0x08, [3]), 5, 6, 7]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idx-'));
    try {
      fs.writeFileSync(path.join(dir, 'a-idx1-ubyte'), bytes);
      fs.writeFileSync(path.join(dir, 'a-idx1-ubyte.gz'), zlib.gzipSync(bytes));
      fs.writeFileSync(path.join(dir, 'unnamed'), zlib.gzipSync(bytes));
      for (const f of ['a-idx1-ubyte', 'a-idx1-ubyte.gz', 'unnamed']) {
        const a = readIdxFile(path.join(dir, f));
        expect(a.dims).toEqual([3]);
        expect(Array.from(a.data)).toEqual([5, 6, 7]);
      }
      expect(() => readIdxFile(path.join(dir, 'missing'))).toThrow(/cannot read IDX file .*missing: ENOENT/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects a wrong magic number, naming it', () => {
    expect(() => parseIdx(Uint8Array.from([1, 0, 8, 1, 0, 0, 0, 1, 0]), 'x.idx')).toThrow(/x\.idx: wrong magic number 0x01000801/);
    expect(() => parseIdx(Uint8Array.from([0, 0, 0x07, 1, 0, 0, 0, 1, 0]))).toThrow(/wrong magic number 0x00000701/);
    expect(() => parseIdx(Uint8Array.from([0, 0, 8, 0]))).toThrow(/wrong magic number 0x00000800/);
    // A PNG is not an IDX file.
    expect(() => parseIdx(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]))).toThrow(DataError);
  });

  it('rejects truncated files (header or data) and trailing bytes', () => {
    expect(() => parseIdx(Uint8Array.from([0, 0]))).toThrow(/truncated, 2 bytes/);
    expect(() => parseIdx(Uint8Array.from([0, 0, 8, 3, 0, 0, 0, 2]))).toThrow(/truncated header, 8 bytes but rank 3 needs 16/);
    const full = [...header(0x08, [2, 2, 3]), ...new Array(12).fill(1)];
    expect(() => parseIdx(Uint8Array.from(full.slice(0, -1)))).toThrow(/truncated, 27 bytes but dims \[2, 2, 3\] of uint8 need 28/);
    expect(() => parseIdx(Uint8Array.from([...full, 0, 0]))).toThrow(/2 trailing bytes/);
    expect(() => parseIdx(Uint8Array.from([...header(0x0b, [2]), 1, 2, 3]))).toThrow(/11 bytes but dims \[2\] of int16 need 12/);
  });

  it('rejects corrupt gzip data', () => {
    const gz = zlib.gzipSync(Uint8Array.from([...header(0x08, [3]), 5, 6, 7]));
    expect(() => parseIdx(gz.subarray(0, gz.length - 6), 'cut.gz')).toThrow(/cut\.gz: corrupt gzip data/);
  });
});
