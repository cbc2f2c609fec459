/**
 * Reading JSON files a person may have edited: a syntax error names the file, the line and the column, and says what was
 * found there. JSON.parse does the parsing; when it fails, a small scanner (below) finds where, because V8's messages
 * give a position only for some errors ("Unexpected token 'N', ... is not valid JSON" has none).
 */
import * as fs from 'fs';

/** Offset of the first JSON syntax error in `text`, or -1 when it is valid JSON (RFC 8259, whitespace around the value). */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  class Bad extends Error {}
  const fail = (): never => {
    throw new Bad();
  };
  const literal = (word: string): void => {
    // stop at the first wrong letter, as V8 does ("t3ue": at the 3)
    for (const ch of word) {
      if (text[i] !== ch) fail();
      i++;
    }
  };
  const str = (): void => {
    if (text[i] !== '"') fail();
    i++;
    while (i < text.length && text[i] !== '"') {
      const c = text.charCodeAt(i);
      if (c < 0x20) fail();
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail();
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? 'x')) fail();
      }
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  const digit = (): boolean => i < text.length && text[i] >= '0' && text[i] <= '9';
  const num = (): void => {
    // char by char, failing where V8 does: right after '-', '.', 'e' or its sign when no digit follows
    if (text[i] === '-') i++;
    if (!digit()) fail();
    if (text[i] === '0') i++;
    else while (digit()) i++;
    if (text[i] === '.') {
      i++;
      if (!digit()) fail();
      while (digit()) i++;
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      if (!digit()) fail();
      while (digit()) i++;
    }
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        str();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else fail();
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else fail();
      }
    } else if (c === '"') str();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else num();
  };
  try {
    value();
    ws();
    return i === text.length ? -1 : i;
  } catch (e) {
    if (e instanceof Bad) return Math.min(i, text.length);
    throw e;
  }
}

/** 1-based line and column of `offset` in `text`. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/** "file:3:7: invalid JSON (…): found '}'" for text that JSON.parse rejected. */
export function jsonErrorMessage(file: string, text: string, parseMessage: string): string {
  const at = jsonErrorOffset(text);
  if (at < 0) return `${file}: invalid JSON (${parseMessage})`;
  const { line, column } = lineColumn(text, at);
  const found = at >= text.length ? 'the end of the file' : JSON.stringify(text.slice(at, at + 12).split('\n')[0]);
  return `${file}:${line}:${column}: invalid JSON at line ${line}, column ${column} (found ${found})`;
}

/** Parses a JSON file; a missing file or a syntax error becomes `makeError(message)` naming the file (and line/column). */
export function parseJsonFile(file: string, makeError: (message: string) => Error = (m) => new Error(m)): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw makeError(`cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw makeError(jsonErrorMessage(file, text, (e as Error).message));
  }
}
