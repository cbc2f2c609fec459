import { describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors, type NamedArray } from '../../src/util/safetensors';

function bytesOf(s: string): number[] {
  return [...new TextEncoder().encode(s)];
}

describe('safetensors', () => {
  it('writes the documented layout byte for byte (worked out by hand)', () => {
    const t = new Map<string, NamedArray>([['w', { shape: [2], data: new Float32Array([1, -2]) }]]);
    const out = encodeSafetensors(t, { step: '7' });
    const json = '{"__metadata__":{"step":"7"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
    const padded = json + ' '.repeat((8 - (json.length % 8)) % 8);
    expect(padded.length % 8).toBe(0);
    const expected = [
      padded.length, 0, 0, 0, 0, 0, 0, 0, // u64 LE header length (< 256 here)
      ...bytesOf(padded),
      0x00, 0x00, 0x80, 0x3f, // 1.0f little-endian
      0x00, 0x00, 0x00, 0xc0, // -2.0f little-endian
    ];
    expect([...out]).toEqual(expected);
  });

  it('round-trips random tensors bit-exactly, in name order, whatever the insertion order', () => {
    let s = 12345;
    const rand = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
    for (let trial = 0; trial < 50; trial++) {
      const m = new Map<string, NamedArray>();
      const k = 1 + (trial % 5);
      for (let i = k - 1; i >= 0; i--) {
        const shape = trial % 7 === 0 && i === 0 ? [0, 3] : [1 + (trial % 3), 2 + i];
        const n = shape.reduce((a, b) => a * b, 1);
        m.set(`t${i}/x`, { shape, data: Float32Array.from({ length: n }, rand) });
      }
      const back = decodeSafetensors(encodeSafetensors(m, { trial: String(trial) }));
      expect(back.metadata).toEqual({ trial: String(trial) });
      expect([...back.tensors.keys()]).toEqual([...m.keys()].sort());
      for (const [name, t] of m) {
        expect(back.tensors.get(name)!.shape).toEqual(t.shape);
        expect(new Uint32Array(back.tensors.get(name)!.data.buffer)).toEqual(new Uint32Array(t.data.slice().buffer));
      }
    }
  });

  it('reads a file whose header was written by another writer (no metadata, unpadded, reordered keys)', () => {
    const json = '{"b":{"shape":[1],"dtype":"F32","data_offsets":[4,8]},"a":{"dtype":"F32","data_offsets":[0,4],"shape":[]}}';
    const head = new TextEncoder().encode(json);
    const buf = new Uint8Array(8 + head.length + 8);
    new DataView(buf.buffer).setUint32(0, head.length, true);
    buf.set(head, 8);
    new DataView(buf.buffer).setFloat32(8 + head.length, 0.5, true);
    new DataView(buf.buffer).setFloat32(8 + head.length + 4, 3, true);
    const { tensors, metadata } = decodeSafetensors(buf);
    expect(metadata).toEqual({});
    expect(tensors.get('a')).toEqual({ shape: [], data: new Float32Array([0.5]) });
    expect(tensors.get('b')).toEqual({ shape: [1], data: new Float32Array([3]) });
  });

  it('names what is wrong in a damaged file', () => {
    const good = encodeSafetensors(new Map([['w', { shape: [2, 2], data: new Float32Array(4) }]]));
    expect(() => decodeSafetensors(good.subarray(0, 5), 'x.safetensors')).toThrow(/x\.safetensors: 5 bytes is too short/);
    expect(() => decodeSafetensors(good.subarray(0, good.length - 4), 'x.safetensors')).toThrow(/"w" spans bytes \[0, 16\) beyond the 12 stored/);
    const extra = new Uint8Array(good.length + 4);
    extra.set(good);
    expect(() => decodeSafetensors(extra)).toThrow(/4 trailing bytes belong to no tensor/);
    const badLen = good.slice();
    new DataView(badLen.buffer).setUint32(0, 1e6, true);
    expect(() => decodeSafetensors(badLen)).toThrow(/header length 1000000 runs past/);
    const text = (s: string) => {
      const h = new TextEncoder().encode(s);
      const b = new Uint8Array(8 + h.length + 8);
      new DataView(b.buffer).setUint32(0, h.length, true);
      b.set(h, 8);
      return b;
    };
    expect(() => decodeSafetensors(text('{"w":{"dtype":"F16","shape":[4],"data_offsets":[0,8]}}'))).toThrow(/dtype "F16"; only F32/);
    expect(() => decodeSafetensors(text('{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}'))).toThrow(/holds 8 bytes but shape \[3\] needs 12/);
    expect(() => decodeSafetensors(text('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}'))).toThrow(/"b" at bytes \[4, 8\) overlaps/);
    expect(() => decodeSafetensors(text('{"w":'))).toThrow(/unreadable header/);
  });

  it('refuses tensors whose values do not match their shape, and non-string metadata', () => {
    expect(() => encodeSafetensors(new Map([['w', { shape: [3], data: new Float32Array(2) }]]))).toThrow(/"w" has 2 values but shape \[3\]/);
    expect(() => encodeSafetensors(new Map(), { n: 3 as unknown as string })).toThrow(/metadata "n" is number/);
  });
});
