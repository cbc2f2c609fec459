/** Fig. 1 of the paper (architecture and objectives), drawn from the library's own numbers. */
export { architectureContent, type ArchitectureContent, type ArchitectureOptions } from './content';
export { architectureFigure } from './figure';
