// Proves a proposed Content-Security-Policy before anyone deploys it: loads the page (and its journey) with the
// policy put on every main-frame document at the CDP Fetch layer, enforced, with no change to the site, and collects
// every violation the browser itself reports (Audits issues, which the page cannot forge or hide).

import type { Protocol } from 'puppeteer';
import type { JourneyStep } from '../src/config/journey.js';
import type { PolicyReplay, PolicyViolation } from '../src/capture/types.js';
import { describeError } from '../src/errors.js';
import { pageSession, presentAsVisitor, type FreshPage } from './fresh-page.js';
import { walkJourney } from './journey-walk.js';
import { profileSettings } from './profiles.js';

/** Violations kept from one load: a page that breaks everything still gives a bounded report. */
const MAX_VIOLATIONS = 200;
const CSP_HEADERS = new Set(['content-security-policy', 'content-security-policy-report-only']);
/** A document is replayed with its own body: at most this much of it (base64), as a capture keeps at most 64 MB. */
const MAX_DOCUMENT_BASE64 = Math.ceil((64 * 1024 * 1024) / 3) * 4;

export interface ReplayRequest { url: string; profile: string; journey?: JourneyStep[] }

export async function replayPolicy(fresh: FreshPage, browserVersion: string, request: ReplayRequest, policy: string, limits: { pageTimeoutMs: number; settleMs: number }): Promise<PolicyReplay> {
  const { page } = fresh;
  const violations: PolicyViolation[] = [];
  const seen = new Set<string>();
  try {
    await presentAsVisitor(page, profileSettings(request.profile, browserVersion));
    page.on('dialog', (dialog) => { dialog.dismiss().catch(() => undefined); });
    page.on('popup', (popup) => { popup?.close().catch(() => undefined); });
    const session = await pageSession(page);
    const mainFrameId = (await session.send('Page.getFrameTree')).frameTree.frame.id;
    session.on('Audits.issueAdded', ({ issue }: Protocol.Audits.IssueAddedEvent) => {
      const details = issue.details.contentSecurityPolicyIssueDetails;
      if (issue.code !== 'ContentSecurityPolicyIssue' || !details || details.isReportOnly) return;
      const violation: PolicyViolation = {
        directive: details.violatedDirective,
        blocked: details.blockedURL ?? (details.contentSecurityPolicyViolationType === 'kInlineViolation' ? 'inline' : details.contentSecurityPolicyViolationType === 'kEvalViolation' ? 'eval' : details.contentSecurityPolicyViolationType),
        source: details.sourceCodeLocation ? `${details.sourceCodeLocation.url}${details.sourceCodeLocation.lineNumber >= 0 ? `:${details.sourceCodeLocation.lineNumber + 1}` : ''}` : null,
      };
      const key = JSON.stringify(violation);
      if (!seen.has(key) && violations.length < MAX_VIOLATIONS) {
        seen.add(key);
        violations.push(violation);
      }
    });
    await session.send('Audits.enable');
    // The page's own documents get the proposal in place of any policy they send; frames of others keep theirs. The
    // response is fulfilled again with its own body (a changed header on a continued response is not applied to CSP).
    let refused: string | null = null;
    session.on('Fetch.requestPaused', (event: Protocol.Fetch.RequestPausedEvent) => {
      if (event.frameId !== mainFrameId || event.responseStatusCode === undefined) {
        session.send('Fetch.continueRequest', { requestId: event.requestId }).catch(() => undefined);
        return;
      }
      const headers = (event.responseHeaders ?? []).filter((h) => !CSP_HEADERS.has(h.name.toLowerCase()));
      headers.push({ name: 'Content-Security-Policy', value: policy });
      void session.send('Fetch.getResponseBody', { requestId: event.requestId }).then(({ body, base64Encoded }) => {
        const encoded = base64Encoded ? body : Buffer.from(body).toString('base64');
        if (encoded.length > MAX_DOCUMENT_BASE64) {
          refused = `the document is over ${MAX_DOCUMENT_BASE64 / 4 * 3} bytes; not replayed`;
          return session.send('Fetch.failRequest', { requestId: event.requestId, errorReason: 'BlockedByClient' });
        }
        return session.send('Fetch.fulfillRequest', { requestId: event.requestId, responseCode: event.responseStatusCode!, responseHeaders: headers, body: encoded });
      }).catch(() => session.send('Fetch.continueRequest', { requestId: event.requestId }).catch(() => undefined));
    });
    await session.send('Fetch.enable', { patterns: [{ urlPattern: '*', resourceType: 'Document', requestStage: 'Response' }] });
    const response = await page.goto(request.url, { waitUntil: 'load', timeout: limits.pageTimeoutMs });
    if (request.journey?.length) {
      const walked = await walkJourney(page, request.journey, limits.pageTimeoutMs, response);
      if ('failure' in walked) return { ok: false, error: walked.failure, violations };
    }
    // Scripts that run after load (timers, late tags) get the settle time to trip the policy too.
    await new Promise((resolve) => setTimeout(resolve, limits.settleMs));
    return refused ? { ok: false, error: refused, violations } : { ok: true, error: null, violations };
  } catch (error) {
    return { ok: false, error: describeError(error), violations };
  } finally {
    await fresh.context.close().catch(() => undefined);
  }
}
