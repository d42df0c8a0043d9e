// What a script claims to be (an npm release) and what the published release says of its bytes.

export interface ReleaseClaim {
  /** npm package name, e.g. `jquery`, `@popperjs/core`. */
  name: string;
  version: string;
  /** Where the claim comes from: the URL's path, the file name, a `?ver=` query, the body's banner, or the library signature. */
  via: 'path' | 'file' | 'query' | 'banner' | 'signature';
}

/** What the published release says of a script's bytes. */
export type ReleaseVerification =
  | { status: 'identical'; name: string; version: string; path: string }
  | { status: 'differs'; name: string; version: string; via: ReleaseClaim['via'] }
  | { status: 'unverified'; name: string; version: string; reason: string };
