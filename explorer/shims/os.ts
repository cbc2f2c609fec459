/** The page's `os`: only what src/util/blob.ts asks at load time, answered truthfully from the browser's own byte order. */
export function endianness(): 'LE' | 'BE' {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 'LE' : 'BE';
}
