// Loads one page in a fresh browser context as a visitor would, and returns a plain PageCapture.

import type { HTTPResponse, Page, Protocol } from 'puppeteer';
import { describeError } from '../src/errors.js';
import { captureFailure, navigationFailure, partialLoad } from './load-failure.js';
import { captureTimeLimits } from '../src/capture/time-limits.js';
import type { TargetGuard } from './new-target-guard.js';
import { pageSession, presentAsVisitor, type FreshPage } from './fresh-page.js';
import { SECURITY_HEADERS, type PageCapture, type RequestCapture, type SecurityHeaderName } from '../src/capture/types.js';
import { assembleScripts, failedScriptLoads } from './assemble-scripts.js';
import { readFormSignals } from './forms.js';
import { initiatorScriptUrl, PageRecorder } from './page-recorder.js';
import { profileSettings } from './profiles.js';
import { outboundItems, runCanaryPass, visitNextPage } from './canary-pass.js';
import { installInstrumentation } from './instrument.js';
import { unknownIn } from '../src/plan/known-content.js';
import type { CaptureLimits, CaptureRequest } from './capture-request.js';
import { WorkerCpu } from './cpu-profile.js';
import { walkJourney } from './journey-walk.js';
import { attributeImages, instrumentedItems, withinSearchBudget } from '../src/detect/canary.js';
import { isOwnSite } from '../src/detect/vendors.js';
import { emptyCapture } from '../src/capture/empty-capture.js';
import { gatherEvidence, networkEntries } from './evidence.js';

export { openFreshPage, type FreshPage } from './fresh-page.js';
export type { CaptureLimits, CaptureRequest } from './capture-request.js';

function securityHeaders(response: HTTPResponse | null): PageCapture['securityHeaders'] {
  const out: PageCapture['securityHeaders'] = {};
  if (!response) return out;
  const headers = response.headers();
  for (const name of SECURITY_HEADERS) {
    const value = headers[name];
    if (value !== undefined) out[name as SecurityHeaderName] = value;
  }
  return out;
}

function startCapture(request: CaptureRequest, startedAt: string): PageCapture {
  return emptyCapture({ target: request.target, targetType: 'page', profile: request.profile, requestedUrl: request.url, startedAt });
}

async function drive(page: Page, request: CaptureRequest, limits: CaptureLimits, capture: PageCapture, presented: Promise<void>, guardNewTargets?: FreshPage['guardNewTargets']): Promise<void> {
  const recorder = new PageRecorder(limits.maxScriptsPerPage);
  const session = await pageSession(page);
  recorder.attach(session, { worker: false });
  // The domains, the frame tree and the instrumentation are set up side by side, and beside the visitor's profile.
  const [, tree, { signals, sourceUrl }] = await Promise.all([
    PageRecorder.enable(session, { worker: false }),
    session.send('Page.getFrameTree'),
    installInstrumentation(session, profileSettings(request.profile, '')),
    presented,
  ]);
  const mainFrameId = tree.frameTree.frame.id;
  recorder.instrumentationUrl = sourceUrl;

  const workerUrls = new Map<object, string>();
  const workerCpu = new WorkerCpu();
  page.on('workercreated', (worker) => {
    const client = worker.client;
    workerUrls.set(client, worker.url());
    workerCpu.watch(client, worker.url());
    recorder.attach(client, { worker: true });
    PageRecorder.enable(client, { worker: true }).catch(() => undefined);
  });

  let crashed: string | null = null;
  page.on('error', (error) => { crashed = describeError(error); });
  page.on('dialog', (dialog) => { dialog.dismiss().catch(() => undefined); });
  page.on('popup', (popup) => { popup?.close().catch(() => undefined); });

  const deadline = Date.now() + captureTimeLimits(limits.pageTimeoutMs, request.journey?.length ?? 0).loadMs;
  let response: HTTPResponse | null;
  try {
    response = await page.goto(request.url, { waitUntil: 'load', timeout: limits.pageTimeoutMs });
  } catch (error) {
    capture.outcome = { ok: false, ...(await navigationFailure(error, limits.pageTimeoutMs, page.browser(), crashed)) };
    return;
  }
  if (request.journey?.length) {
    const walked = await walkJourney(page, request.journey, limits.pageTimeoutMs, response);
    if ('failure' in walked) {
      capture.outcome = { ok: false, code: 'JOURNEY_FAILED', reason: walked.failure };
      return;
    }
    response = walked.response;
  }
  capture.documentStatus = response?.status() ?? null;
  capture.finalUrl = page.url();
  if (response && response.status() >= 400) {
    capture.outcome = { ok: false, code: 'PAGE_HTTP_ERROR', reason: `HTTP ${response.status()} for ${request.url}` };
    return;
  }
  // From here on the page is ours to judge: a document it moves to by itself is not what the target names.
  recorder.guardNavigation = true;
  // Late-injected scripts arrive after load; wait for a quiet network, but not forever on pages that poll.
  const settleBudget = Math.min(Math.max(0, deadline - Date.now()), Math.max(limits.settleMs * 10, 5000));
  await page.waitForNetworkIdle({ idleTime: limits.settleMs, timeout: Math.max(1, settleBudget) }).catch(() => undefined);
  if (crashed) {
    capture.outcome = { ok: false, code: 'PAGE_CRASHED', reason: `page crashed: ${crashed}` };
    return;
  }
  const partial = partialLoad(recorder, capture.finalUrl ?? request.url);
  if (partial) {
    capture.outcome = { ok: false, ...partial };
    return;
  }

  const frames = new Map<string, string>();
  const walk = (node: Protocol.Page.FrameTree) => {
    frames.set(node.frame.id, node.frame.url);
    recorder.frames.set(node.frame.id, { url: node.frame.url, parentId: node.frame.parentId ?? null });
    node.childFrames?.forEach(walk);
  };
  walk((await session.send('Page.getFrameTree')).frameTree);

  capture.securityHeaders = securityHeaders(response);
  capture.forms = await readFormSignals(session).catch(() => capture.forms);
  const pageUrl = capture.finalUrl ?? request.url;
  const runsPass = Boolean(!request.sample && limits.canary?.enabled && (capture.forms.payment || capture.forms.login));
  // The page as loaded, before the behavioural pass types anything into it. Without a pass, what the crawler was told
  // is known decides, once the scripts are read, whether the DOM copy and the screenshot are worth taking (below).
  const deferEvidence = !request.sample && !runsPass && request.known !== undefined;
  let evidence = request.sample || deferEvidence ? null : await gatherEvidence(page, session, recorder, mainFrameId, limits.maxBodyBytes);
  // Popups, new windows and workers the page opens during the pass are held from their first request: what they try
  // to send is searched, their navigations and the shop's own writes are refused (a target=_blank form is no order).
  const opened: TargetGuard = {
    seen: [], blocked: [],
    refuse: (event) => event.resourceType === 'Document' || (!['GET', 'HEAD', 'OPTIONS'].includes(event.request.method.toUpperCase()) && isOwnSite(event.request.url, pageUrl)),
  };
  // The page's main frame id is its target id: its own requests stay with the page's guard.
  const release = runsPass && guardNewTargets ? await guardNewTargets(mainFrameId, opened) : null;
  try {
    await judgePage();
  } finally {
    release?.();
  }

  async function judgePage(): Promise<void> {
  const pass = runsPass
    ? await runCanaryPass(page, session, {
      pageUrl, mainFrameId, touch: profileSettings(request.profile, '').viewport.hasTouch,
      budgetMs: Math.max(1000, Math.min(8000, deadline - Date.now())),
    })
    : null;
  // What the page sent during the pass; a later page's traffic is added below, once this page's scripts are read.
  const searchedIds = new Set(recorder.requests.keys());
  const sent = pass ? [...attributeImages(await outboundItems(recorder), signals), ...instrumentedItems(signals, pageUrl, (frameUrl) => frameOpener(recorder, frameUrl))] : [];
  // WebAssembly compiled anywhere, workers included, is seen by the engine itself, whatever the page did to our hooks.
  const wasm = recorder.scripts.filter((s) => (s.event as { scriptLanguage?: string }).scriptLanguage === 'WebAssembly');
  // What channels carried is searched in full below; the stored record keeps a short prefix of it, as evidence.
  const recorded = signals.map((s) => (s.data && s.data.length > 256 ? { ...s, data: s.data.slice(0, 256) } : s));
  capture.runtime = [...recorded, ...(await workerCpu.collect()), ...(wasm.length ? [{ kind: 'wasm', detail: `${wasm.length} WebAssembly module(s) compiled${wasm.some((s) => s.worker) ? ' in a worker' : ''}`, script: null }] : [])];
  const signalsOfPage = signals.length;
  const scripts = await assembleScripts(recorder, {
    mainFrameId,
    maxBodyBytes: limits.maxBodyBytes,
    maxPageBytes: limits.maxPageBytes ?? 64 * 1024 * 1024,
    bodyTimeoutMs: Math.max(2000, Math.min(10_000, limits.pageTimeoutMs)),
    workerUrls,
  });
  const dropped = scripts.filter((s) => s.body === null && s.fingerprint);
  if (dropped.length) {
    capture.notices = [...(capture.notices ?? []), `limits.maxPageBytes / limits.maxBodyBytes: ${dropped.length} script bodies were fingerprinted and compared but not kept`];
  }
  const frameUrlOf = (id: string | null) => (id ? recorder.frames.get(id)?.url ?? '' : '');
  capture.scripts = [...scripts, ...failedScriptLoads(recorder, frameUrlOf, mainFrameId)];
  capture.requests = [...recorder.requests.values()].map(
    (r): RequestCapture => ({
      url: r.url,
      type: r.type,
      method: r.method,
      frameUrl: r.frameId ? frameUrlOf(r.frameId) || null : null,
      initiatorUrl: initiatorScriptUrl(r.initiator, recorder.instrumentationUrl),
    }),
  );
  if (deferEvidence) {
    evidence = await gatherEvidence(page, session, recorder, mainFrameId, limits.maxBodyBytes, { view: unknownIn(request.known!, capture).length > 0 });
  }
  capture.evidence = evidence ? { ...evidence, network: networkEntries(recorder) } : null;
  // The page may have left while it was read: its scripts are then partly another document's.
  const left = partialLoad(recorder, pageUrl);
  if (left) {
    capture.outcome = { ok: false, ...left };
    return;
  }
  recorder.guardNavigation = false;
  if (pass && limits.canary) {
    // Staged data: load one more page of the site in the same context and watch what it sends (data kept in storage
    // on checkout and sent from the next page). This page's scripts and requests are already read.
    const next = limits.canary.nextPage === 'off' ? null : new URL(limits.canary.nextPage ?? pageUrl, pageUrl).href;
    if (next) {
      const archived = recorder.earlierRequests.length;
      const later = await visitNextPage(page, session, { pageUrl, url: next, budgetMs: Math.max(500, Math.min(limits.pageTimeoutMs, 5000, deadline - Date.now())) });
      const laterSignals = signals.slice(signalsOfPage);
      // Everything the next page sent, and what the scanned page sent as it unloaded (archived at the switch).
      const laterItems = await outboundItems(recorder, { since: archived, skip: searchedIds });
      // Requests the network log missed (sent as the scanned page unloaded) are blamed on the one script that
      // listened for the page going away, when there is one.
      const known = new Set([...sent, ...laterItems].map((i) => `${i.method} ${i.url}`));
      const leaving = [...new Set(signals.filter((s) => s.kind === 'unload' && s.script).map((s) => s.script))];
      const unseen = later.intercepted.filter((i) => !known.has(`${i.method} ${i.url}`)).map((i) => ({ ...i, script: leaving.length === 1 ? leaving[0]! : null }));
      sent.push(...attributeImages(laterItems, laterSignals), ...unseen, ...instrumentedItems(laterSignals, next, (frameUrl) => frameOpener(recorder, frameUrl)));
      pass.blocked.push(...later.blocked);
    }
    sent.push(...opened.seen);
    pass.blocked.push(...opened.blocked);
    // The judgement's inputs, bounded as the search is: what was typed and everything sent (src/detect/canary.ts).
    const { kept, unsearched } = withinSearchBudget(sent);
    capture.canary = {
      cardLast4: pass.values.cardNumber.slice(-4), filled: pass.filled, submitted: pass.submitted, blocked: pass.blocked.slice(0, 50),
      values: pass.values, formAction: pass.formAction, outbound: kept, unsearched,
      staged: signals.filter((s) => s.kind === 'stored' && s.data),
    };
  }
  if (recorder.blockedOwnNetwork.length > 0) {
    capture.notices = [...(capture.notices ?? []), ...recorder.blockedOwnNetwork.map((r) => `blocked a request to the monitor's own network: ${r}`)];
  }
  if (recorder.droppedScripts > 0) {
    capture.truncated.push(`limits.maxScriptsPerPage: ${recorder.droppedScripts} further scripts not recorded`);
  }
  }
}

/** The script that created a frame: the initiator of the frame document's request. */
function frameOpener(recorder: PageRecorder, frameUrl: string): string | null {
  for (const request of recorder.requests.values()) {
    if (request.type === 'Document' && request.url === frameUrl) return initiatorScriptUrl(request.initiator, recorder.instrumentationUrl);
  }
  return null;
}

/** Captures one page in the given fresh page, then disposes of its context; page-side problems become a failed outcome. */
export async function capturePage(
  fresh: FreshPage,
  browserVersion: string,
  request: CaptureRequest,
  limits: CaptureLimits,
): Promise<PageCapture> {
  const startedAt = new Date().toISOString();
  let capture = startCapture(request, startedAt);
  const { context, page } = fresh;
  let timer: NodeJS.Timeout | undefined;
  // The driver fills a capture of its own: one stopped at the hard limit can never write into the one returned.
  const working = startCapture(request, startedAt);
  try {
    const settings = profileSettings(request.profile, browserVersion);
    const presented = presentAsVisitor(page, settings);
    presented.catch(() => undefined);
    // Never before the journey's own deadline: a journey of several steps may use a page timeout for each.
    const hardLimit = captureTimeLimits(limits.pageTimeoutMs, request.journey?.length ?? 0).hardMs;
    const timedOut = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), hardLimit); });
    const driving = drive(page, request, limits, working, presented, fresh.guardNewTargets);
    const result = await Promise.race([driving.then(() => 'done' as const), timedOut]);
    if (result === 'timeout') {
      // Closing the context (below) fails every call the driver still waits on, and it ends there.
      driving.catch(() => undefined);
      capture.outcome = { ok: false, code: 'PAGE_TIMEOUT', reason: `page capture exceeded ${hardLimit} ms` };
    } else {
      capture = working;
    }
  } catch (error) {
    // The driver failed before the limit: what it saw so far (the final URL, the status) stays with the failure.
    capture = working;
    capture.outcome = { ok: false, ...(await captureFailure(error, page.browser(), null)) };
  } finally {
    clearTimeout(timer);
    // A hung browser would hold this close until the protocol timeout; the caller checks for a hang afterwards.
    let closeTimer: NodeJS.Timeout | undefined;
    await Promise.race([context.close().catch(() => undefined), new Promise((resolve) => { closeTimer = setTimeout(resolve, 5000); })]);
    clearTimeout(closeTimer);
  }
  if (!capture.outcome.ok) {
    capture.scripts = [];
    capture.requests = [];
    capture.evidence = null;
  }
  capture.finishedAt = new Date().toISOString();
  return capture;
}
