/**
 * Errors raised while locating or parsing data. One class, so callers (CLI, notebooks) can tell "your data is missing or
 * broken" apart from a bug, and messages that always say which file or value is wrong and what to do about it.
 */
export class DataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataError';
  }
}

/** The error for a data package that cannot be found: names the package, where we looked, and the install command. */
export function missingPackageError(pkg: string, version: string, lookedAt: string, detail?: string): DataError {
  return new DataError(
    `data package ${pkg} not found (looked for ${lookedAt}${detail ? `: ${detail}` : ''}). ` +
      `Install it with \`npm install ${pkg}@${version}\` in the project root, or pass an explicit directory.`,
  );
}
