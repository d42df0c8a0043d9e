// A capture with nothing in it yet: the starting point of every page load and resource fetch, and of a failed one.

import type { PageCapture } from './types.js';

export function emptyCapture(what: Pick<PageCapture, 'target' | 'targetType' | 'profile' | 'requestedUrl' | 'startedAt'>): PageCapture {
  return {
    ...what,
    finalUrl: null,
    finishedAt: what.startedAt,
    outcome: { ok: true },
    documentStatus: null,
    securityHeaders: {},
    scripts: [],
    requests: [],
    forms: { payment: false, login: false, evidence: [] },
    truncated: [],
  };
}
