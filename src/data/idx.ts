/**
 * IDX files (the MNIST / Fashion-MNIST container), raw or gzip-compressed.
 *
 * Layout: 2 zero bytes, a type byte, a rank byte; then `rank` big-endian uint32 dimensions; then the elements, row-major,
 * big-endian for multi-byte types. Type bytes: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64.
 * A buffer that starts with the gzip magic (1f 8b) is gunzipped first, whatever the file is called.
 * The payload must be exactly prod(dims)·elementSize bytes: shorter is "truncated", longer is "trailing bytes" — both are
 * errors, because either means the file is not what it claims to be.
 */
import * as fs from 'fs';
import * as zlib from 'zlib';
import { DataError } from './errors';

export type IdxType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  type: IdxType;
  dims: number[];
  /** Row-major elements. For uint8 this is a view into the (decompressed) file buffer, not a copy. */
  data: IdxData;
}

const TYPES: Record<number, { type: IdxType; size: number }> = {
  0x08: { type: 'uint8', size: 1 },
  0x09: { type: 'int8', size: 1 },
  0x0b: { type: 'int16', size: 2 },
  0x0c: { type: 'int32', size: 4 },
  0x0d: { type: 'float32', size: 4 },
  0x0e: { type: 'float64', size: 8 },
};

function hex(v: number, width: number): string {
  return '0x' + v.toString(16).padStart(width, '0');
}

/** Parses an IDX buffer (gzip-compressed or raw). `source` names the input in error messages. */
export function parseIdx(input: Uint8Array, source = 'IDX buffer'): IdxArray {
  let buf = input;
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = zlib.gunzipSync(buf);
    } catch (e) {
      throw new DataError(`${source}: corrupt gzip data (${(e as Error).message})`);
    }
  }
  if (buf.length < 4) throw new DataError(`${source}: truncated, ${buf.length} bytes is shorter than the 4-byte IDX magic`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magic = view.getUint32(0, false);
  const t = TYPES[buf[2]];
  const rank = buf[3];
  if (buf[0] !== 0 || buf[1] !== 0 || !t || rank === 0) {
    throw new DataError(
      `${source}: wrong magic number ${hex(magic, 8)}; an IDX file starts with 0x0000TTRR ` +
        `(TT type in {08,09,0b,0c,0d,0e}, RR rank ≥ 1), e.g. 0x00000803 for MNIST images`,
    );
  }
  const headerLen = 4 + 4 * rank;
  if (buf.length < headerLen) {
    throw new DataError(`${source}: truncated header, ${buf.length} bytes but rank ${rank} needs ${headerLen}`);
  }
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const expected = headerLen + count * t.size;
  if (buf.length < expected) {
    throw new DataError(
      `${source}: truncated, ${buf.length} bytes but dims [${dims.join(', ')}] of ${t.type} need ${expected}`,
    );
  }
  if (buf.length > expected) {
    throw new DataError(
      `${source}: ${buf.length - expected} trailing bytes after dims [${dims.join(', ')}] of ${t.type} (expected ${expected} bytes)`,
    );
  }
  let data: IdxData;
  if (t.type === 'uint8') {
    data = buf.subarray(headerLen, expected);
  } else if (t.type === 'int8') {
    data = new Int8Array(buf.buffer, buf.byteOffset + headerLen, count);
  } else {
    const Ctor = { int16: Int16Array, int32: Int32Array, float32: Float32Array, float64: Float64Array }[t.type];
    const out = new Ctor(count);
    for (let i = 0; i < count; i++) {
      const o = headerLen + i * t.size;
      out[i] =
        t.type === 'int16' ? view.getInt16(o, false)
        : t.type === 'int32' ? view.getInt32(o, false)
        : t.type === 'float32' ? view.getFloat32(o, false)
        : view.getFloat64(o, false);
    }
    data = out;
  }
  return { type: t.type, dims, data };
}

/** Reads and parses an IDX file (raw or .gz). */
export function readIdxFile(file: string): IdxArray {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    throw new DataError(`cannot read IDX file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseIdx(buf, file);
}
