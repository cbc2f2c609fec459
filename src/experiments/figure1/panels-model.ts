/**
 * Fig. 1's left and middle panels: the patch grid feeding the main-task model, and the sequential position encoder ℰ
 * (Seq Token / Seq Pos / Data Dim rows, [CLS] last, causal Transformer × 2, the [CLS] output becoming e(r,c)).
 * Coordinates are canvas units of ./figure.ts (x ∈ [0, 140], y ∈ [0, 70], y up).
 */
import type { Canvas } from '../../report/canvas';
import type { ArchitectureContent } from './content';
import { BLUE, INK, MUTED, ORANGE, ORANGE_FILL, PURPLE, e, pos, sub } from './style';

/** Left: the patch grid and the main-task model fed with position embeddings. Returns where e(r,c) sits. */
export function drawMainTask(cv: Canvas, k: ArchitectureContent): { peX: number; peBottom: number } {
  const { grid } = k;
  const [r, c] = k.position;
  cv.rect(0.5, 5, 37.5, 68.6, { fill: '#f6f8fb', line: '#c9d3e0', below: true });
  cv.text(19, 66.3, `Main task: ViT on a ${grid}×${grid} patch grid`, { size: 15, bold: true });

  // Main-task model.
  cv.rect(2.5, 54, 36, 61.5, { fill: '#e8eef7', line: INK });
  cv.text(19.25, 59.0, 'Main-task Transformer', { size: 15, bold: true });
  cv.text(19.25, 56.0, 'patch tokens x(r,c) + position embeddings e(r,c)', { size: 11, color: MUTED });

  // Embedding row: boxes and ellipses, laid out left to right from x = 7.5.
  const boxW = 5.6;
  const ellW = 2.4;
  const gap = 0.55;
  const y0 = 44;
  const y1 = 48.5;
  let x = 7.5;
  let peX = NaN;
  for (const p of k.peRow) {
    if (p === null) {
      cv.text(x + ellW / 2, (y0 + y1) / 2, '…', { size: 15, color: MUTED });
      x += ellW + gap;
      continue;
    }
    const chosen = p[0] === r && p[1] === c;
    cv.box(x, y0, x + boxW, y1, e(p), {
      fill: chosen ? ORANGE_FILL : '#fff', line: chosen ? ORANGE : INK, size: 13, name: `pe-box-${p[0]}-${p[1]}`, textName: `pe-${p[0]}-${p[1]}`,
    });
    cv.arrow(x + boxW / 2, y1, x + boxW / 2, 54, { color: MUTED, width: 1.1 });
    if (chosen) peX = x + boxW / 2;
    x += boxW + gap;
  }

  // Patch grid (row 0 at the top, as in an image), the chosen patch highlighted.
  const side = 20;
  const gx0 = 9;
  const gyTop = 32;
  const cell = side / grid;
  cv.rect(gx0, gyTop - side, gx0 + side, gyTop, { fill: '#fff', line: INK, width: 1.2, name: 'grid-frame' });
  for (let i = 1; i < grid; i++) {
    cv.path([[gx0 + i * cell, gyTop - side], [gx0 + i * cell, gyTop]], { color: '#9aa5b1', width: 0.8 });
    cv.path([[gx0, gyTop - i * cell], [gx0 + side, gyTop - i * cell]], { color: '#9aa5b1', width: 0.8 });
  }
  cv.rect(gx0 + c * cell, gyTop - (r + 1) * cell, gx0 + (c + 1) * cell, gyTop - r * cell, {
    fill: ORANGE_FILL, line: ORANGE, width: 2.5, name: 'patch-highlight',
  });
  if (cell >= 4.5) {
    // Room for the coordinates inside the cell (grids up to 4×4).
    cv.text(gx0 + (c + 0.5) * cell, gyTop - (r + 0.5) * cell, pos([r, c]), { size: 12, color: ORANGE, bold: true, name: 'patch-label' });
  }
  // Axis indices: all of them for small grids, the ends and the chosen one otherwise.
  const ticks = grid <= 8 ? Array.from({ length: grid }, (_, i) => i) : [...new Set([0, grid - 1, r, c])];
  for (const i of ticks) {
    if (grid <= 8 || i === 0 || i === grid - 1 || i === r) cv.text(gx0 - 0.6, gyTop - (i + 0.5) * cell, String(i), { size: 11, color: i === r ? ORANGE : MUTED, anchor: 'right' });
    if (grid <= 8 || i === 0 || i === grid - 1 || i === c) cv.text(gx0 + (i + 0.5) * cell, gyTop - side - 0.6, String(i), { size: 11, color: i === c ? ORANGE : MUTED, vanchor: 'top' });
  }
  cv.text(gx0 - 2.6, gyTop - side / 2, 'row', { size: 11, color: MUTED, angle: -90 });
  cv.text(gx0 + side / 2, gyTop - side - 3.2, 'col', { size: 11, color: MUTED });
  cv.text(19, 6.8, `image → ${grid}×${grid} patches; patch ${pos([r, c])} highlighted`, { size: 12, color: INK });

  // Patch tokens enter the main model (route left of the embedding row).
  cv.path([[gx0 + 2, gyTop + 0.3], [gx0 + 2, 34.5], [4.3, 34.5], [4.3, 40]], { color: MUTED, width: 1.3 });
  cv.arrow(4.3, 40, 4.3, 54, { color: MUTED, width: 1.3 });
  cv.text(3.1, 44.5, 'patch tokens', { size: 11, color: MUTED, angle: -90 });
  return { peX, peBottom: y0 };
}

/** Middle: the sequential position encoder ℰ. Returns the left edge and mid-height of its output box. */
export function drawEncoder(cv: Canvas, k: ArchitectureContent): { outX: number; outY: number } {
  const n = k.digits.length + 1; // digit tokens + [CLS]
  cv.rect(38.5, 5, 89.5, 68.6, { fill: '#f7f7f2', line: '#d8d8c8', below: true });
  cv.text(64, 66.3, 'Sequential position encoder ℰ', { size: 15, bold: true });

  const xL = 52;
  const xR = 88.5;
  const colW = (xR - xL) / n;
  const boxW = colW * 0.84;
  const cx = (i: number): number => xL + colW * (i + 0.5);
  const fs = n <= 5 ? 14 : n <= 7 ? 12 : 11;

  // Rows, bottom to top: the digits, Seq Token, Seq Pos, Data Dim (all summed), then the Transformer.
  const rows = { digit: 10.2, tok: [13, 16.6], pos: [18.6, 22.2], dim: [24.2, 27.8] } as const;
  cv.text(50.5, rows.digit, 'digits', { size: 12, anchor: 'right', color: MUTED });
  cv.text(50.5, (rows.tok[0] + rows.tok[1]) / 2, 'Seq Token', { size: 13, anchor: 'right' });
  cv.text(50.5, (rows.pos[0] + rows.pos[1]) / 2, 'Seq Pos', { size: 13, anchor: 'right' });
  cv.text(50.5, (rows.dim[0] + rows.dim[1]) / 2, 'Data Dim', { size: 13, anchor: 'right' });

  k.digits.forEach((d, i) => {
    const x = cx(i);
    const h = boxW / 2;
    cv.text(x, rows.digit, `"${d}"`, { size: 14, name: `digit-${i}`, color: k.dimIds[i] === 0 ? BLUE : PURPLE, bold: true });
    cv.arrow(x, rows.digit + 0.9, x, rows.tok[0], { color: MUTED, width: 1 });
    cv.box(x - h, rows.tok[0], x + h, rows.tok[1], `T${sub(`"${d}"`)}`, { size: fs, textName: `digit-token-${i}` });
    cv.text(x, (rows.tok[1] + rows.pos[0]) / 2, '+', { size: 12, color: MUTED });
    cv.box(x - h, rows.pos[0], x + h, rows.pos[1], `O${sub(String(k.seqPos[i]))}`, { size: fs, textName: `seq-pos-${i}`, fill: '#eef6ee' });
    cv.text(x, (rows.pos[1] + rows.dim[0]) / 2, '+', { size: 12, color: MUTED });
    cv.box(x - h, rows.dim[0], x + h, rows.dim[1], `D${sub(String(k.dimIds[i]))}`, { size: fs, textName: `data-dim-${i}`, fill: '#f1ecf7' });
    cv.arrow(x, rows.dim[1], x, 30.5, { color: MUTED, width: 1 });
  });
  // [CLS] is appended last, with no position or dimension embedding.
  const xc = cx(n - 1);
  cv.box(xc - boxW / 2, rows.tok[0], xc + boxW / 2, rows.tok[1], `T${sub('[CLS]')}`, { size: fs - 1, textName: 'cls-token', fill: ORANGE_FILL, line: ORANGE });
  cv.text(xc, (rows.pos[0] + rows.dim[1]) / 2, 'no pos,<br>no dim', { size: 10, color: MUTED });
  cv.arrow(xc, rows.tok[1], xc, 30.5, { color: ORANGE, width: 1 });

  // Digits grouped by axis.
  const per = k.spec.digits;
  cv.path([[cx(0) - boxW / 2, 8.4], [cx(per - 1) + boxW / 2, 8.4]], { color: BLUE, width: 1.2 });
  cv.path([[cx(per) - boxW / 2, 8.4], [cx(2 * per - 1) + boxW / 2, 8.4]], { color: PURPLE, width: 1.2 });
  cv.text((cx(0) + cx(per - 1)) / 2, 7.2, `row ${k.position[0]}`, { size: 11, color: BLUE });
  cv.text((cx(per) + cx(2 * per - 1)) / 2, 7.2, `col ${k.position[1]}`, { size: 11, color: PURPLE });

  // The Transformer, with its causal mask sketched at the right.
  cv.rect(xL, 30.5, xR, 41.5, { fill: '#fffbe6', line: INK, width: 1.2 });
  cv.text(xL + 14, 37.6, `causal Transformer × 2`, { size: 15, bold: true });
  cv.text(xL + 14, 34.3, 'pre-LN blocks; [CLS] is last,<br>so it attends to every digit', { size: 11, color: MUTED });
  const m = n;
  const mc = 7.5 / m;
  const mx0 = xR - 2 - m * mc;
  const my0 = 32;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      cv.rect(mx0 + j * mc, my0 + (m - 1 - i) * mc, mx0 + (j + 1) * mc, my0 + (m - i) * mc, {
        fill: j <= i ? '#8c8c8c' : '#fff', line: '#bbb', width: 0.5,
      });
    }
  }
  cv.text(mx0 - 0.6, my0 + (m * mc) / 2, 'mask', { size: 10, color: MUTED, anchor: 'right' });

  // [CLS] output → LayerNorm → Linear → e(r,c).
  const outY0 = 45.5;
  const outY1 = 50;
  cv.arrow(xc, 41.5, xc, outY0, { color: ORANGE, width: 1.6 });
  const ow = 8;
  cv.box(xc - ow / 2, outY0, xc + ow / 2, outY1, e(k.position), { fill: ORANGE_FILL, line: ORANGE, size: 14, textName: 'encoder-output' });
  cv.text(xc - 1, (41.5 + outY0) / 2, '[CLS] state → LayerNorm → Linear', { size: 11, color: MUTED, anchor: 'right' });
  cv.text(64, 61.5, `ℰ reads the position ${pos(k.position)} as a sequence of digits`, { size: 13 });
  cv.text(64, 59.2, `${per} base-${k.spec.base} digit${per > 1 ? 's' : ''} per axis, left-padded with "0"; [CLS] appended last`, { size: 12, color: MUTED, name: 'digits-note' });
  return { outX: xc - ow / 2, outY: (outY0 + outY1) / 2 };
}
