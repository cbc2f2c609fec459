/**
 * Little-endian blobs: hand-worked byte patterns, bit-exact round trips (NaN payloads, ±0, ±∞, subnormals), unaligned
 * offsets, and the portable byte-swapping route (the one a big-endian host takes) checked against the fast route.
 */
import { describe, expect, it } from 'vitest';
import * as os from 'os';
import { fromLittleEndian, HOST_LITTLE_ENDIAN, toLittleEndian } from '../../src/util/blob';
import { Rng } from '../../src/util/rng';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bits = (a: Float32Array | Int32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe('little-endian blobs', () => {
  it('writes the hand-worked byte patterns, by either route', () => {
    for (const host of [true, false]) {
      // 1.0f = 0x3F800000, -2.5f = 0xC0200000 (sign 1, exponent 128, mantissa 0.25)
      expect(hex(toLittleEndian(new Float32Array([1, -2.5]), host))).toBe('0000803f000020c0');
      // -2 = 0xFFFFFFFE; 0x01020304 least significant byte first
      expect(hex(toLittleEndian(new Int32Array([-2, 0x01020304]), host))).toBe('feffffff04030201');
      expect(Array.from(fromLittleEndian(Buffer.from('0000803f000020c0', 'hex'), 0, 2, 'float32', host))).toEqual([1, -2.5]);
      expect(Array.from(fromLittleEndian(Buffer.from('feffffff04030201', 'hex'), 0, 2, 'int32', host))).toEqual([-2, 0x01020304]);
    }
    expect(HOST_LITTLE_ENDIAN).toBe(new Uint8Array(new Uint32Array([1]).buffer)[0] === 1);
    expect(HOST_LITTLE_ENDIAN).toBe(os.endianness() === 'LE'); // the typed-array probe agrees with Node's own answer
  });

  it('round-trips every bit, at unaligned offsets, and both routes agree on 2 000 random words', () => {
    const r = new Rng(11);
    const words = Uint32Array.from({ length: 2000 }, () => r.nextU32());
    words.set([0x7fc00001, 0xffc12345, 0x80000000, 0, 0x7f800000, 0xff800000, 1, 0x007fffff]); // NaN payloads, ±0, ±∞, subnormals
    const f = new Float32Array(words.buffer);
    const fast = toLittleEndian(f, true);
    const portable = toLittleEndian(f, false);
    expect(hex(portable)).toBe(hex(fast));
    for (const pad of [0, 1, 3]) {
      const file = new Uint8Array(pad + fast.length + 5);
      file.set(fast, pad);
      for (const host of [true, false]) {
        const back = fromLittleEndian(file, pad, f.length, 'float32', host);
        expect(back.byteOffset).toBe(0); // a fresh, aligned array
        expect(bits(back)).toEqual(Array.from(words));
        expect(bits(fromLittleEndian(file, pad, f.length, 'int32', host))).toEqual(Array.from(words));
      }
    }
    // a view into a bigger array writes only its own values
    expect(hex(toLittleEndian(new Int32Array([7, -2, 9]).subarray(1, 2), false))).toBe('feffffff');
  });

  it('rejects reads past the end and unknown dtypes, naming the numbers', () => {
    const b = new Uint8Array(10);
    expect(() => fromLittleEndian(b, 4, 2, 'float32')).toThrow(/2 float32 values at byte 4 do not fit in 10 bytes/);
    expect(() => fromLittleEndian(b, -1, 1, 'int32')).toThrow(/at byte -1/);
    expect(() => fromLittleEndian(b, 0, 1, 'float64' as 'float32')).toThrow(/dtype float64; expected float32 or int32/);
  });
});
