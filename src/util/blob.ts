/**
 * Float32 / int32 arrays as little-endian bytes, the byte order of every binary file this project writes (tfjs weight
 * files, checkpoints), whatever the host's order. On a little-endian host (every machine this runs on) the bytes are the
 * array's own memory; elsewhere each 32-bit word is byte-swapped through a DataView (as an integer, so even NaN
 * payloads survive bit-exactly). Reads copy into a fresh, aligned array, because the
 * offset of a value inside a file buffer need not be a multiple of 4.
 * No Node built-in: the host's order is probed through a typed array, so this file runs in a browser too.
 */

export type BlobDtype = 'float32' | 'int32';

/** The host's byte order: a 16-bit 1 stored natively has its low byte first exactly on a little-endian host. */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The values as little-endian bytes (a view of `values` on a little-endian host: do not mutate it while in use). */
export function toLittleEndian(values: Float32Array | Int32Array, hostLittleEndian = HOST_LITTLE_ENDIAN): Uint8Array {
  if (hostLittleEndian) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const words = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint8Array(values.length * 4);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < words.length; i++) dv.setUint32(i * 4, words[i], true);
  return out;
}

/** `n` values of `dtype` read from little-endian `bytes` starting at byte `offset`, into a new array. */
export function fromLittleEndian(
  bytes: Uint8Array,
  offset: number,
  n: number,
  dtype: BlobDtype,
  hostLittleEndian = HOST_LITTLE_ENDIAN,
): Float32Array | Int32Array {
  if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(n) || n < 0 || offset + 4 * n > bytes.length) {
    throw new Error(`fromLittleEndian: ${n} ${dtype} values at byte ${offset} do not fit in ${bytes.length} bytes`);
  }
  if (dtype !== 'float32' && dtype !== 'int32') throw new Error(`fromLittleEndian: dtype ${String(dtype)}; expected float32 or int32`);
  const out = dtype === 'float32' ? new Float32Array(n) : new Int32Array(n);
  if (hostLittleEndian) {
    new Uint8Array(out.buffer).set(bytes.subarray(offset, offset + 4 * n));
    return out;
  }
  const words = new Uint32Array(out.buffer);
  const dv = new DataView(bytes.buffer, bytes.byteOffset + offset, 4 * n);
  for (let i = 0; i < n; i++) words[i] = dv.getUint32(i * 4, true);
  return out;
}
