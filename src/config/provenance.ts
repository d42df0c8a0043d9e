// `targets[].expect`: where the true bytes of a hosted file or a page's script come from (a hash, an npm release, a
// URL, a local build artifact), so a file tampered where it is hosted is caught even on its first scan.

import { z } from 'zod';
import { httpUrl } from './config-parts.js';

const SOURCES = ['sha256', 'npm', 'url', 'file'] as const;

/** `PKG@VERSION/path/in/package.js`, e.g. `@twilio/taskrouter@2.0.0/dist/taskrouter.min.js`. */
export const NPM_FILE = /^((?:@[a-z0-9][\w.~-]*\/)?[a-z0-9][\w.~-]*)@([^/\s@]+)\/(\S+)$/i;

const entrySchema = z.strictObject({
  /** On a page target: the script this applies to, by its URL as the page loads it. */
  script: httpUrl.optional(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/i, 'must be a SHA-256 in hex (64 characters)').transform((v) => v.toLowerCase()).optional(),
  npm: z.string().regex(NPM_FILE, 'must be PACKAGE@VERSION/path, such as jquery@3.7.1/dist/jquery.min.js').optional(),
  url: httpUrl.optional(),
  file: z.string().min(1, 'must be a file path').optional(),
}).superRefine((entry, ctx) => {
  const given = SOURCES.filter((key) => entry[key] !== undefined);
  if (given.length !== 1) ctx.addIssue({ code: 'custom', message: `give exactly one of ${SOURCES.join(', ')}${given.length ? ` (not ${given.join(' and ')})` : ''}` });
});

/** One expectation or a list of them. */
export const expectSchema = z.union([entrySchema, z.array(entrySchema).min(1, 'must list at least one expectation')], {
  error: 'must be {sha256|npm|url|file: …} or a list of them, each with script: URL on a page target',
}).transform((value) => (Array.isArray(value) ? value : [value]));

export type ExpectEntry = z.output<typeof entrySchema>;

/** Where an expectation's bytes come from, as alerts and warnings name it (`npm jquery@3.7.1/dist/jquery.min.js`). */
export function sourceOf(entry: ExpectEntry): { kind: (typeof SOURCES)[number]; value: string; label: string } {
  const kind = SOURCES.find((key) => entry[key] !== undefined)!;
  const value = entry[kind]!;
  return { kind, value, label: `${kind} ${value}` };
}

/** Problems of a target's expectations that depend on its type: page entries name their script, resource ones do not. */
export function expectIssues(targets: { type: 'page' | 'resource'; url: string; expect?: ExpectEntry[] }[]): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  targets.forEach((target, t) => {
    // Refinements run over a document with other problems too: an expectation that did not parse is reported already.
    if (!Array.isArray(target.expect)) return;
    target.expect.forEach((entry, i) => {
      if (target.type === 'page' && !entry.script) issues.push({ path: ['targets', t, 'expect', i, 'script'], message: 'is required on a page target: the URL of the script whose bytes are expected' });
      if (target.type === 'resource' && entry.script && entry.script !== target.url) issues.push({ path: ['targets', t, 'expect', i, 'script'], message: 'a resource target expects its own bytes: leave script out' });
    });
  });
  return issues;
}
