/**
 * A drawing canvas for plotly: boxes, lines, text and arrows placed in the data units of one hidden axis, collected as
 * layout shapes and annotations. Generic (it knows nothing of any paper figure); a diagram sets its axis ranges so one
 * unit is a fixed number of pixels and then draws on this. Pass `name` to any primitive so tests and readers can find it.
 */
import { stripUndefined } from '../util/checks';

export type Shape = Record<string, unknown>;
export type Annotation = Record<string, unknown>;

export interface TextOpts {
  size?: number;
  color?: string;
  anchor?: 'left' | 'center' | 'right';
  vanchor?: 'top' | 'middle' | 'bottom';
  bold?: boolean;
  name?: string;
  angle?: number;
}

/** Default line/text colour and font family of a canvas. */
export interface CanvasStyle {
  ink: string;
  font: string;
}

export const DEFAULT_CANVAS_STYLE: CanvasStyle = { ink: '#222', font: 'DejaVu Sans, Arial, sans-serif' };

export class Canvas {
  readonly shapes: Shape[] = [];
  readonly annotations: Annotation[] = [];

  constructor(readonly style: CanvasStyle = DEFAULT_CANVAS_STYLE) {}

  rect(x0: number, y0: number, x1: number, y1: number, o: { fill?: string; line?: string; width?: number; dash?: string; name?: string; below?: boolean } = {}): void {
    this.shapes.push(stripUndefined({
      type: 'rect', xref: 'x', yref: 'y', x0, y0, x1, y1, name: o.name,
      fillcolor: o.fill ?? 'rgba(0,0,0,0)',
      line: stripUndefined({ color: o.line ?? this.style.ink, width: o.width ?? 1, dash: o.dash }),
      layer: o.below ? 'below' : 'above',
    }));
  }

  path(points: [number, number][], o: { color?: string; width?: number; dash?: string; name?: string } = {}): void {
    const d = points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'} ${fmt(x)} ${fmt(y)}`).join(' ');
    this.shapes.push(stripUndefined({
      type: 'path', xref: 'x', yref: 'y', path: d, name: o.name,
      line: stripUndefined({ color: o.color ?? this.style.ink, width: o.width ?? 1.2, dash: o.dash }),
    }));
  }

  text(x: number, y: number, text: string, o: TextOpts = {}): void {
    this.annotations.push(stripUndefined({
      xref: 'x', yref: 'y', x, y, text: o.bold ? `<b>${text}</b>` : text, showarrow: false, name: o.name,
      xanchor: o.anchor ?? 'center', yanchor: o.vanchor ?? 'middle', textangle: o.angle,
      font: { family: this.style.font, size: o.size ?? 13, color: o.color ?? this.style.ink },
    }));
  }

  /** An arrow from (x0, y0) to the head at (x1, y1). */
  arrow(x0: number, y0: number, x1: number, y1: number, o: { color?: string; width?: number; name?: string; head?: number } = {}): void {
    this.annotations.push(stripUndefined({
      xref: 'x', yref: 'y', axref: 'x', ayref: 'y', x: x1, y: y1, ax: x0, ay: y0, text: '', showarrow: true, name: o.name,
      arrowhead: o.head ?? 2, arrowsize: 1, arrowwidth: o.width ?? 1.3, arrowcolor: o.color ?? this.style.ink, standoff: 0, startstandoff: 0,
    }));
  }

  /** A box with centred text. */
  box(x0: number, y0: number, x1: number, y1: number, text: string, o: { fill?: string; line?: string; size?: number; name?: string; textName?: string; color?: string } = {}): void {
    this.rect(x0, y0, x1, y1, { fill: o.fill ?? '#fff', line: o.line, name: o.name });
    this.text((x0 + x1) / 2, (y0 + y1) / 2, text, { size: o.size, name: o.textName, color: o.color });
  }
}

/** Path coordinates rounded to 1/1000 of a unit, so specs stay short and stable. */
function fmt(v: number): string {
  return String(Math.round(v * 1000) / 1000);
}


