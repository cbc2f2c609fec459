/**
 * Panel 1: a position → its digit tokens, digit-slot ids and dimension ids, laid out as the encoder reads them (Fig. 1),
 * computed by the library (toDigits, encodeBatch, digitPositionIds, dimensionIds). Bad input shows the library's own
 * error message; nothing is clamped or guessed.
 */
import { dimensionIds, digitPositionIds, encodeBatch, fromDigits, toDigits, type DigitSpec } from './lib';

/** "2, 3" → [2, 3]. Empty parts are an error; anything else is handed to the library's checks as the number it is. */
export function parsePosition(text: string): number[] {
  const parts = text.split(',');
  return parts.map((p, i) => {
    const t = p.trim();
    if (t === '') throw new Error(`position "${text}": coordinate ${i + 1} of ${parts.length} is empty`);
    return Number(t);
  });
}

/** A form field as a number (the library checks integrality and range, with its own messages). */
export function parseNumber(name: string, text: string): number {
  const t = text.trim();
  if (t === '') throw new Error(`${name} is empty`);
  return Number(t);
}

export interface DigitsView {
  spec: DigitSpec;
  coords: number[];
  digits: number[];
  pad: boolean[];
  slotIds: number[];
  dimIds: number[];
}

export function digitsView(position: string, base: string, digits: string, dims: string): DigitsView {
  const coords = parsePosition(position);
  const spec: DigitSpec = { base: parseNumber('base', base), digits: parseNumber('digits per dimension', digits), dims: parseNumber('dimensions', dims) };
  const ds = toDigits(coords, spec);
  const batch = encodeBatch([coords], spec);
  // The inverse must give the position back: a check that what is drawn is the library's encoding of this position.
  const back = fromDigits(ds, spec);
  if (back.join(',') !== coords.join(',')) throw new Error(`internal: digits ${ds.join(' ')} decode to ${back.join(',')}, not ${coords.join(',')}`);
  return { spec, coords, digits: ds, pad: Array.from(batch.mask, (m) => m === 0), slotIds: digitPositionIds(spec), dimIds: dimensionIds(spec) };
}

function el(tag: string, cls: string, text?: string): HTMLElement {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function render(out: HTMLElement, v: DigitsView): void {
  out.replaceChildren();
  const tokens = el('div', 'tokens');
  v.digits.forEach((d, k) => {
    const t = el('div', `token${v.pad[k] ? ' pad' : ''}`);
    t.dataset.slot = String(k);
    t.append(el('div', 'sym', String(d)), el('div', 'id', `O${sub(v.slotIds[k])}`));
    if (v.spec.dims > 1) t.append(el('div', `id dim${v.dimIds[k] % 4}`, `D${sub(v.dimIds[k])}`));
    tokens.append(t);
  });
  const cls = el('div', 'token cls');
  cls.append(el('div', 'sym', '[CLS]'), el('div', 'id', '—'));
  if (v.spec.dims > 1) cls.append(el('div', 'id', '—'));
  tokens.append(cls);
  const pos = v.coords.length === 1 ? String(v.coords[0]) : `(${v.coords.join(', ')})`;
  const line = (label: string, id: string, values: number[]) => {
    const p = el('p', 'legend');
    p.append(`${label}: `, Object.assign(el('code', ''), { id, textContent: values.join(' ') }));
    return p;
  };
  out.append(
    el('p', '', `${pos} in base ${v.spec.base}, ${v.spec.digits} digit${v.spec.digits === 1 ? '' : 's'} per dimension → ${v.digits.length} digit tokens + [CLS]`),
    tokens,
    line('digit symbols', 'digit-symbols', v.digits),
    line('digit-slot ids (O)', 'digit-slots', v.slotIds),
    line('dimension ids (D)', 'digit-dims', v.dimIds),
    el('p', 'legend', 'Grey: left-padding zeros (ordinary "0" tokens to the encoder, as in the released configs). [CLS] has no slot or dimension embedding; its final state is the position embedding.'),
  );
}

const SUBS = '₀₁₂₃₄₅₆₇₈₉';
function sub(n: number): string {
  return String(n).split('').map((c) => SUBS[Number(c)]).join('');
}

export function mountDigitsPanel(): void {
  const $ = (id: string) => document.getElementById(id) as HTMLInputElement;
  const out = document.getElementById('digits-out')!;
  const err = document.getElementById('digits-error')!;
  const update = () => {
    try {
      render(out, digitsView($('digits-position').value, $('digits-base').value, $('digits-count').value, $('digits-dims').value));
      err.textContent = '';
    } catch (e) {
      out.replaceChildren();
      err.textContent = (e as Error).message;
    }
  };
  document.getElementById('digits-form')!.addEventListener('submit', (ev) => {
    ev.preventDefault();
    update();
  });
  for (const id of ['digits-position', 'digits-base', 'digits-count', 'digits-dims']) $(id).addEventListener('input', update);
  update();
}
