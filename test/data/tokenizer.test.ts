import { describe, expect, it } from 'vitest';
import { ByteTokenizer, getTokenizer, registerTokenizer, tokenizerNames } from '../../src/data/tokenizer';
import { Rng } from '../../src/util/rng';

/** A random well-formed string: code points from ASCII, Latin-1, the rest of the BMP (no surrogates) and astral planes. */
function randomString(rng: Rng, maxLen: number): string {
  const n = rng.int(0, maxLen + 1);
  let s = '';
  for (let i = 0; i < n; i++) {
    const band = rng.int(0, 4);
    let cp: number;
    if (band === 0) cp = rng.int(0, 0x80);
    else if (band === 1) cp = rng.int(0x80, 0x800);
    else if (band === 2) {
      cp = rng.int(0x800, 0x10000);
      if (cp >= 0xd800 && cp <= 0xdfff) cp = 0x20ac; // surrogates are not characters
    } else cp = rng.int(0x10000, 0x110000);
    s += String.fromCodePoint(cp);
  }
  return s;
}

describe('byte tokenizer (bytes-v1)', () => {
  const tok = getTokenizer('bytes-v1');

  it('reports its name and vocabulary size, and is the default', () => {
    expect(tok.name).toBe('bytes-v1');
    expect(tok.vocabSize).toBe(256);
    expect(getTokenizer().name).toBe('bytes-v1');
    expect(tokenizerNames()).toContain('bytes-v1');
  });

  it('encodes to the UTF-8 bytes worked out by hand', () => {
    expect(Array.from(tok.encode('Az'))).toEqual([65, 122]);
    expect(Array.from(tok.encode('é'))).toEqual([0xc3, 0xa9]); // U+00E9 = 110 00011, 10 101001
    expect(Array.from(tok.encode('€'))).toEqual([0xe2, 0x82, 0xac]); // U+20AC
    expect(Array.from(tok.encode('😀'))).toEqual([0xf0, 0x9f, 0x98, 0x80]); // U+1F600
    expect(tok.encode('')).toHaveLength(0);
    expect(tok.encode('x')).toBeInstanceOf(Int32Array);
  });

  it('round-trips 3000 random Unicode strings and its ids stay in [0, 256)', () => {
    const rng = new Rng(7);
    for (let k = 0; k < 3000; k++) {
      const s = randomString(rng, 40);
      const ids = tok.encode(s);
      expect(ids.length).toBe(Buffer.byteLength(s, 'utf8'));
      for (const v of ids) expect(v >= 0 && v < 256).toBe(true);
      expect(tok.decode(ids)).toBe(s);
    }
  });

  it('is compositional: encode(a + b) = encode(a) ++ encode(b)', () => {
    const rng = new Rng(8);
    for (let k = 0; k < 500; k++) {
      const a = randomString(rng, 10);
      const b = randomString(rng, 10);
      expect(Array.from(tok.encode(a + b))).toEqual([...tok.encode(a), ...tok.encode(b)]);
    }
  });

  it('maps a lone surrogate to U+FFFD (documented: not valid Unicode, cannot round-trip)', () => {
    expect(tok.decode(tok.encode('a\ud800b'))).toBe('a\ufffdb');
  });

  it('decodes invalid UTF-8 byte sequences with U+FFFD instead of throwing (generations can be any bytes)', () => {
    expect(tok.decode([0x41, 0xff, 0x42])).toBe('A\ufffdB');
  });

  it('rejects ids that are not bytes, naming the id and index', () => {
    expect(() => tok.decode([65, 256])).toThrow(/id 256 at index 1 .*\[0, 255\]/);
    expect(() => tok.decode([-1])).toThrow(/id -1 at index 0/);
    expect(() => tok.decode([1.5])).toThrow(/id 1.5/);
  });

  it('rejects unknown and duplicate tokenizer names', () => {
    expect(() => getTokenizer('gpt2')).toThrow(/unknown tokenizer "gpt2".*bytes-v1/);
    expect(() => registerTokenizer('bytes-v1', () => new ByteTokenizer())).toThrow(/already registered/);
  });
});
