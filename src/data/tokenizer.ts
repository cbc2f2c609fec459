/**
 * Tokenizers turn text into integer ids and back. Every result records `name` and `vocabSize`, so a perplexity can
 * always be traced to the vocabulary it was measured in (byte-level and BPE perplexities are not comparable).
 *
 * The default, 'bytes-v1', is byte-level: the UTF-8 bytes of the text, vocabulary 256. It needs no training, handles every
 * character of every corpus (so the SOTU text needs no normalisation), and is compositional —
 * encode(a + b) = encode(a) ++ encode(b) — which the needle-QA generator relies on for exact lengths.
 */
import { DataError } from './errors';

export interface Tokenizer {
  /** Stable identifier recorded with every result, e.g. 'bytes-v1'. */
  readonly name: string;
  /** Ids are in [0, vocabSize). */
  readonly vocabSize: number;
  encode(text: string): Int32Array;
  /** Inverse of encode for valid input. Throws on ids outside [0, vocabSize). */
  decode(ids: ArrayLike<number>): string;
}

/**
 * UTF-8 bytes as tokens. decode(encode(s)) === s for every well-formed string; a lone UTF-16 surrogate (not valid
 * Unicode) is encoded as U+FFFD by UTF-8, so it cannot round-trip. Decoding a byte sequence that is not valid UTF-8
 * (possible for model generations) yields U+FFFD for the bad bytes instead of throwing.
 */
export class ByteTokenizer implements Tokenizer {
  readonly name = 'bytes-v1';
  readonly vocabSize = 256;
  private readonly decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

  encode(text: string): Int32Array {
    if (typeof text !== 'string') throw new DataError(`ByteTokenizer.encode expects a string, got ${typeof text}`);
    return Int32Array.from(Buffer.from(text, 'utf8'));
  }

  decode(ids: ArrayLike<number>): string {
    const bytes = new Uint8Array(ids.length);
    for (let i = 0; i < ids.length; i++) {
      const v = ids[i];
      if (!Number.isInteger(v) || v < 0 || v > 255) {
        throw new DataError(`ByteTokenizer.decode: id ${v} at index ${i} is not a byte (expected an integer in [0, 255])`);
      }
      bytes[i] = v;
    }
    return this.decoder.decode(bytes);
  }
}

const registry: Record<string, () => Tokenizer> = {
  'bytes-v1': () => new ByteTokenizer(),
};

/** The tokenizer registered under `name` (default 'bytes-v1'). */
export function getTokenizer(name = 'bytes-v1'): Tokenizer {
  const make = registry[name];
  if (!make) throw new DataError(`unknown tokenizer "${name}"; known: ${Object.keys(registry).join(', ')}`);
  return make();
}

/** Makes a tokenizer available to getTokenizer (e.g. a BPE added later). Refuses to replace an existing name. */
export function registerTokenizer(name: string, make: () => Tokenizer): void {
  if (registry[name]) throw new DataError(`tokenizer "${name}" is already registered`);
  registry[name] = make;
}

/** Names accepted by getTokenizer. */
export function tokenizerNames(): string[] {
  return Object.keys(registry);
}
