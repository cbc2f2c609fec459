/** What a built site holds (site/manifest.json): written by build.ts, read by check.ts and the tests. */
import type { PageSummary } from './notebook-page';

export interface SitePage extends PageSummary {
  /** File name inside the site folder, e.g. `01-positions-as-symbol-sequences.html`. */
  file: string;
  /** The notebook it was built from, e.g. `01-positions-as-symbol-sequences.ipynb`. */
  source: string;
}
export interface SiteManifest {
  pages: SitePage[];
  outDir: string;
}
