/** Colours, font and the small text helpers shared by the Fig. 1 panels (src/experiments/figure1). */
import { DEFAULT_CANVAS_STYLE, type CanvasStyle } from '../../report/canvas';
import { PALETTE } from '../../report/figure';

export const ORANGE = PALETTE[1];
export const ORANGE_FILL = '#ffe2c4';
export const BLUE = PALETTE[0];
export const GREEN = PALETTE[2];
export const RED = PALETTE[3];
export const PURPLE = PALETTE[4];
export const INK = DEFAULT_CANVAS_STYLE.ink;
export const MUTED = '#666';
export const FONT = DEFAULT_CANVAS_STYLE.font;
export const STYLE: CanvasStyle = { ink: INK, font: FONT };

/** "(r, c)" */
export const pos = (p: readonly number[]): string => `(${p.join(', ')})`;
/** plotly's subscript markup */
export const sub = (s: string): string => `<sub>${s}</sub>`;
/** "e" with the position as subscript, e.g. e₍₂,₃₎ */
export const e = (p: readonly number[]): string => `e${sub(p.join(','))}`;
