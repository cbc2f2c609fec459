/**
 * Reporting: plotly figure specs (figure.ts), rendering to PNG/HTML (render.ts, chromium.ts), tables and
 * mean ± spread (tables.ts; aggregate.ts groups per-seed rows with danfojs), and inline display in tslab notebooks
 * (notebook.ts; markdown.ts for HTML conclusions, live-progress.ts for training cells). Nothing here trains or touches
 * tensors.
 */
export * from './figure';
export * from './chromium';
export * from './render';
export * from './tables';
export * from './notebook';
export * from './markdown';
export * from './live-progress';
export * from './aggregate';
