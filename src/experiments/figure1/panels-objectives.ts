/**
 * Fig. 1's right-hand panels: the distance regularisation L_δ on a real ContrastiveSampler draw (top) and the OOD
 * distillation L_OOD on a real TransferSampler draw (bottom), each with an inset axis showing the sampled positions.
 * Coordinates are canvas units of ./figure.ts (x ∈ [0, 140], y ∈ [0, 70], y up).
 */
import type { ContrastiveMode } from '../../positions/contrastive-sampler';
import { squaredDistance } from '../../positions/distance';
import type { Annotation, Canvas, Shape } from '../../report/canvas';
import type { Trace } from '../../report/figure';
import { SHOWN_CANDIDATES, type ArchitectureContent } from './content';
import { BLUE, GREEN, INK, MUTED, PURPLE, RED, e, pos, sub } from './style';

const MODE_TEXT: Record<ContrastiveMode, string> = {
  none: "mode 'none': uniform",
  hard: "mode 'hard': + look-alikes",
  distributional: "mode 'distributional'",
};

/** Top right: the distance regularisation L_δ on a real ContrastiveSampler draw. */
export function drawDistance(cv: Canvas, k: ArchitectureContent, traces: Trace[], layout: Record<string, unknown>): void {
  const ct = k.contrastive;
  cv.rect(90.5, 35, 139.5, 68.6, { fill: '#f4f9f4', line: '#c5dcc5', below: true });
  cv.text(115, 66.3, 'Distance regularisation L<sub>δ</sub>', { size: 15, bold: true });
  cv.text(92, 62.2, `pivot p = ${pos(ct.pivot)}`, { size: 13, anchor: 'left', name: 'pivot', bold: true });
  cv.text(92, 59.9, `${ct.candidates.length} candidates (${MODE_TEXT[ct.mode]})`, { size: 11, anchor: 'left', color: MUTED });
  cv.text(94.2, 57.0, 'candidate c', { size: 11, anchor: 'left', color: MUTED });
  cv.text(113.5, 57.0, '‖p − c‖²', { size: 11, anchor: 'right', color: MUTED });
  let y = 54.8;
  ct.shown.forEach((i, row) => {
    if (row === SHOWN_CANDIDATES && i !== SHOWN_CANDIDATES) {
      cv.text(103, y + 0.3, '⋮', { size: 12, color: MUTED });
      y -= 1.9;
    }
    const nearest = i === ct.label;
    const col = nearest ? GREEN : INK;
    cv.text(92.6, y, nearest ? '✓' : '✗', { size: 13, color: nearest ? GREEN : RED, name: nearest ? `candidate-${i}-tick` : `candidate-${i}-cross`, bold: nearest });
    cv.text(94.2, y, `c${sub(String(i))} = ${pos(ct.candidates[i])}`, { size: 13, anchor: 'left', color: col, name: `candidate-${i}` });
    cv.text(113.5, y, String(squaredDistance(ct.pivot, ct.candidates[i])), { size: 13, anchor: 'right', color: col, name: `candidate-${i}-sqdist` });
    y -= 2.2;
  });
  cv.text(92, 40.6, `✓ nearest of all ${ct.candidates.length} = the positive`, { size: 11, anchor: 'left', color: GREEN });
  cv.text(92, 37.6, 'L<sub>δ</sub> = CE( softmax<sub>c</sub>(e<sub>p</sub>·e<sub>c</sub>), nearest )', { size: 12, anchor: 'left' });

  // Inset: the pivot and all its candidates in the 100 × 100 position space (x = col, y = row, row 0 at the top).
  const axis = Math.round(Math.sqrt(ct.maxPosition));
  inset(layout, 2, [117.5, 138.5], [39, 61], axis);
  const others = ct.candidates.filter((_, i) => i !== ct.label);
  traces.push({
    type: 'scatter', mode: 'markers', name: 'candidates', xaxis: 'x2', yaxis: 'y2', showlegend: false, hoverinfo: 'x+y',
    x: others.map((q) => q[1]), y: others.map((q) => q[0]), marker: { color: '#9a9a9a', size: 4 },
  });
  const best = ct.candidates[ct.label];
  traces.push({
    type: 'scatter', mode: 'lines', name: 'nearest link', xaxis: 'x2', yaxis: 'y2', showlegend: false, hoverinfo: 'skip',
    x: [ct.pivot[1], best[1]], y: [ct.pivot[0], best[0]], line: { color: GREEN, width: 1.5 },
  });
  traces.push({
    type: 'scatter', mode: 'markers', name: 'nearest', xaxis: 'x2', yaxis: 'y2', showlegend: false,
    x: [best[1]], y: [best[0]], marker: { color: GREEN, size: 9, symbol: 'circle' },
  });
  traces.push({
    type: 'scatter', mode: 'markers', name: 'pivot', xaxis: 'x2', yaxis: 'y2', showlegend: false,
    x: [ct.pivot[1]], y: [ct.pivot[0]], marker: { color: INK, size: 12, symbol: 'star' },
  });
  cv.text(128, 62.3, `★ pivot, ● nearest, · others`, { size: 10, color: MUTED });
}

/** Bottom right: the OOD distillation L_OOD on a real TransferSampler draw. */
export function drawOod(cv: Canvas, k: ArchitectureContent, traces: Trace[], layout: Record<string, unknown>): void {
  const t = k.transfer;
  cv.rect(90.5, 5, 139.5, 34, { fill: '#f8f4fa', line: '#dccbe6', below: true });
  cv.text(115, 31.8, 'OOD regularisation L<sub>OOD</sub>', { size: 15, bold: true });
  cv.text(92, 28.6, `offset p = ${pos(t.offset)}`, { size: 13, anchor: 'left', bold: true, name: 'transfer-offset' });
  cv.text(92, 26.3, `${t.teachers.length} pairs, train grid ${t.trainSide}×${t.trainSide}`, { size: 11, anchor: 'left', color: MUTED });
  cv.text(92.6, 24, 'teacher', { size: 11, anchor: 'left', color: BLUE });
  cv.text(104, 24, 'student = teacher + p', { size: 11, anchor: 'left', color: PURPLE });
  for (let i = 0; i < t.shown; i++) {
    const y = 21.8 - i * 2.1;
    cv.text(92.6, y, e(t.teachers[i]), { size: 13, anchor: 'left', color: BLUE, name: `teacher-${i}` });
    cv.text(101.6, y, '→', { size: 12, color: MUTED });
    cv.text(104, y, e(t.students[i]), { size: 13, anchor: 'left', color: PURPLE, name: `student-${i}` });
  }
  cv.text(99, 21.8 - t.shown * 2.1 + 0.4, '⋮', { size: 12, color: MUTED });

  // Similarity distributions: one row of each matrix as bars (illustrative shapes), tied by D_KL.
  const tBars = [0.95, 0.55, 0.35, 0.22, 0.3, 0.15];
  const sBars = [0.8, 0.6, 0.3, 0.3, 0.22, 0.2];
  const bars = (x0: number, hs: number[], color: string, label: string): void => {
    hs.forEach((h, i) => cv.rect(x0 + i * 1.05, 6.3, x0 + i * 1.05 + 0.8, 6.3 + h * 4.4, { fill: color, line: color, width: 0.5 }));
    cv.text(x0 + (hs.length * 1.05) / 2 - 0.1, 11.9, label, { size: 12, color });
  };
  bars(92.6, tBars, BLUE, 'P<sub>T</sub>');
  bars(106.8, sBars, PURPLE, 'P<sub>S</sub>');
  cv.arrow(100.6, 8.4, 106.2, 8.4, { color: INK, width: 1.2, head: 2 });
  cv.arrow(106.2, 8.4, 100.6, 8.4, { color: INK, width: 1.2, head: 2 });
  cv.text(103.4, 10.1, '𝔻<sub>KL</sub>', { size: 13 });

  // Inset: teachers inside the training grid, students shifted by the offset.
  const axis = Math.round(Math.sqrt(t.maxPosition));
  inset(layout, 3, [117.5, 138.5], [8, 28.5], axis);
  const s = t.trainSide;
  const shapes = layout.shapes as Shape[];
  shapes.push({ type: 'rect', xref: 'x3', yref: 'y3', x0: -0.5, y0: -0.5, x1: s - 0.5, y1: s - 0.5, line: { color: BLUE, width: 1 }, fillcolor: 'rgba(31,119,180,0.12)', name: 'train-grid' });
  shapes.push({
    type: 'rect', xref: 'x3', yref: 'y3', x0: t.offset[1] - 0.5, y0: t.offset[0] - 0.5, x1: t.offset[1] + s - 0.5, y1: t.offset[0] + s - 0.5,
    line: { color: PURPLE, width: 1, dash: 'dot' }, fillcolor: 'rgba(148,103,189,0.10)', name: 'student-grid',
  });
  traces.push({
    type: 'scatter', mode: 'markers', name: 'teachers', xaxis: 'x3', yaxis: 'y3', showlegend: false,
    x: t.teachers.map((q) => q[1]), y: t.teachers.map((q) => q[0]), marker: { color: BLUE, size: 3.5 },
  });
  traces.push({
    type: 'scatter', mode: 'markers', name: 'students', xaxis: 'x3', yaxis: 'y3', showlegend: false,
    x: t.students.map((q) => q[1]), y: t.students.map((q) => q[0]), marker: { color: PURPLE, size: 3.5 },
  });
  (layout.annotations as Annotation[]).push({
    xref: 'x3', yref: 'y3', axref: 'x3', ayref: 'y3', ax: s / 2, ay: s / 2, x: t.offset[1] + s / 2, y: t.offset[0] + s / 2,
    text: '', showarrow: true, arrowhead: 2, arrowwidth: 1.3, arrowcolor: MUTED, standoff: 2, name: 'offset-arrow',
  });
}

/** Inset axes number `k` over the canvas box [x0, x1] × [y0, y1] (canvas units), showing a side × side position space. */
function inset(layout: Record<string, unknown>, k: number, xs: [number, number], ys: [number, number], side: number): void {
  const tick = { size: 9, color: MUTED };
  layout[`xaxis${k}`] = {
    domain: [xs[0] / 140, xs[1] / 140], anchor: `y${k}`, range: [-3, side + 2], tickvals: [0, 50, side - 1], tickfont: tick,
    showgrid: false, zeroline: false, linecolor: '#bbb', mirror: true, showline: true, fixedrange: true,
    title: { text: 'col', font: { size: 10, color: MUTED }, standoff: 2 },
  };
  layout[`yaxis${k}`] = {
    domain: [ys[0] / 70, ys[1] / 70], anchor: `x${k}`, range: [side + 2, -3], tickvals: [0, 50, side - 1], tickfont: tick,
    showgrid: false, zeroline: false, linecolor: '#bbb', mirror: true, showline: true, fixedrange: true,
    title: { text: 'row', font: { size: 10, color: MUTED }, standoff: 2 },
  };
}
