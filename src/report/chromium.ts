/**
 * Where the headless browser that turns plotly figures into PNG lives.
 *
 * We drive the system Chromium (Debian package `chromium`) with playwright-core: playwright's own browser download needs
 * internet access the project's machines do not have. `CHROMIUM_PATH` overrides the location.
 */
import * as fs from 'fs';

/** The one command that provides the browser on Debian/Ubuntu. */
export const CHROMIUM_INSTALL_HINT = 'sudo apt-get install -y --no-install-recommends chromium';

/** Places tried in order when CHROMIUM_PATH is not set. */
export const CHROMIUM_CANDIDATES: readonly string[] = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/**
 * Flags for a headless, offline, root-friendly launch. `--no-sandbox` because CI runs as root; the network-ish switches keep
 * Chromium from phoning home (there is no internet anyway, and timeouts would slow the launch).
 * Never add `--user-data-dir` here: playwright rejects it (launch() makes its own temporary profile).
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];

/** Thrown when PNG output is asked for and no browser can be found. */
export class ChromiumMissingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChromiumMissingError';
  }
}

function isExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Outcome of the search: a path, or the reason there is none (a full sentence, with the install command). */
export type ChromiumLookup = { path: string } | { missing: string };

/**
 * Find the browser. A CHROMIUM_PATH that is set but wrong is reported as such (not silently replaced by another browser),
 * so a typo in CI does not go unnoticed.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): ChromiumLookup {
  const forced = env.CHROMIUM_PATH;
  if (forced !== undefined && forced !== '') {
    if (isExecutable(forced)) return { path: forced };
    return { missing: `CHROMIUM_PATH=${JSON.stringify(forced)} is not an executable file; unset it or point it at a Chromium binary` };
  }
  for (const c of CHROMIUM_CANDIDATES) if (isExecutable(c)) return { path: c };
  return {
    missing: `Chromium not found (looked at ${CHROMIUM_CANDIDATES.join(', ')}; CHROMIUM_PATH unset). ` +
      `Install it with: ${CHROMIUM_INSTALL_HINT}`,
  };
}

/** The browser's path, or a ChromiumMissingError saying what to install. */
export function requireChromium(env: NodeJS.ProcessEnv = process.env): string {
  const found = findChromium(env);
  if ('path' in found) return found.path;
  throw new ChromiumMissingError(found.missing);
}
