// Gathers what the alert screen and the alert API show: the alert, the old version's fingerprints and the diff.

import { comparesBodies } from '../src/capture/types.js';
import type { DiffViews } from './diff-views.js';
import { ScriptwardenError } from '../src/errors.js';
import { fingerprint } from '../src/plan/fingerprint.js';
import type { Store } from '../src/store/open-store.js';
import type { EvidenceFile } from '../src/store/evidence.js';
import type { AlertWithDetails } from '../src/store/alerts.js';
import { approvalsNeeded, type ApprovalPolicy } from '../src/auth/approvals.js';
import type { Request, Response } from 'express';
import { authOf } from './auth/authenticate.js';
import { decisionInput, parseId } from './request-input.js';
import type { AlertView } from './views/alert-detail.js';
import { subjectFigures } from '../src/store/visitor-reports.js';
import { reportSubject } from '../src/detect/visitor-reports.js';

/** The evidence files kept with the scan that raised the alert. */
export async function evidenceOf(store: Store, alertId: number): Promise<EvidenceFile[]> {
  const trail = await store.evidence.trail(alertId);
  return trail ? store.evidence.list(trail.firstScanId) : [];
}

export async function loadAlertView(
  store: Store, views: DiffViews, id: number, actor: string,
  viewer: { canDecide: boolean; askName: boolean; approvals?: ApprovalPolicy } = { canDecide: true, askName: true },
): Promise<AlertView> {
  const alert = await store.alerts.get(id);
  if (!alert) throw new ScriptwardenError('NOT_FOUND', `no alert with id ${id}`);
  const isScript = comparesBodies(alert.type);
  const oldBody = isScript && alert.oldValue ? await store.blobs.textBySha(alert.oldValue) : null;
  // A visitor alert's value is the reported script as the collector fetched it.
  const visitorAlert = alert.type.startsWith('visitor.');
  const newBody = (isScript || visitorAlert) && alert.newValue ? await store.blobs.textBySha(alert.newValue) : null;
  const oldPrint = oldBody !== null ? fingerprint(oldBody) : null;
  const scriptId = isScript ? await store.inventory.scriptId(alert.target, alert.profile, alert.subject) : null;
  // A release moved to a new URL: the old body belongs to the script it replaces.
  const replaces = typeof alert.details.replaces === 'string' ? await store.inventory.scriptId(alert.target, alert.profile, alert.details.replaces) : null;
  const oldOwner = replaces ?? scriptId;
  const oldMeta = oldOwner !== null && alert.oldValue ? await store.inventory.versionMeta(oldOwner, alert.oldValue) : null;
  const diff = oldBody !== null && newBody !== null ? await views.diff(alert.oldValue!, alert.newValue!) : null;
  return {
    alert,
    scriptId,
    old: oldPrint ? { ...oldPrint, headers: oldMeta?.headers ?? null } : null,
    newBody: newBody !== null ? await views.beautified(alert.newValue!) : null,
    hunks: diff && 'hunks' in diff ? diff.hunks : null,
    diffTooLarge: diff && 'tooLarge' in diff ? diff.tooLarge : null,
    actor,
    notifications: await store.notifications.forAlert(id),
    evidence: await evidenceOf(store, id),
    decisions: await store.alerts.decisions(id),
    audit: await store.access.audit.list({ objectType: 'alert', objectId: id }),
    canDecide: viewer.canDecide,
    askName: viewer.askName,
    approvalsRequired: approvalsNeeded(viewer.approvals, alert.severity),
    visitors: visitorAlert ? await subjectFigures(store.database, alert.target, (r) => reportSubject(r)?.subject === alert.subject) : null,
  };
}

/**
 * Approves or rejects the alert a request names, and tells the listener (serve's notifications). A signed-in user or
 * token decides as itself; only open access takes a name from the request.
 */
/** What deciding needs besides the store: who to tell (serve's notifications), and the approval policy (config `approvals`). */
export interface DecisionDeps {
  onDecision?: (alerts: AlertWithDetails[]) => Promise<void>;
  approvals?: ApprovalPolicy;
}

export async function decideFromRequest(store: Store, req: Request, res: Response, status: 'approved' | 'rejected', deps: DecisionDeps = {}): Promise<AlertWithDetails> {
  const id = parseId(String(req.params.id), 'alert id');
  const viewer = authOf(res).viewer!;
  const { note, by } = decisionInput(req, viewer.name);
  if (viewer.kind !== 'open' && by !== viewer.name) throw new ScriptwardenError('USAGE', `by must be left out: decisions are recorded as ${viewer.name}`);
  const alert = await store.alerts.get(id);
  if (!alert) throw new ScriptwardenError('NOT_FOUND', `no alert with id ${id}`);
  // A name typed into an open dashboard counts as a person only when it is a user's.
  if (status === 'approved' && viewer.kind === 'open' && approvalsNeeded(deps.approvals, alert.severity) > 1 && !(await store.access.users.get(by))) {
    throw new ScriptwardenError('FORBIDDEN', `this alert needs approvals by ${deps.approvals!.required} different people: "${by}" is not a scriptwarden user`);
  }
  const decided = await store.alerts.decide([id], status, { by, note, at: new Date().toISOString(), ip: req.ip ?? null }, deps.approvals);
  await deps.onDecision?.(decided);
  return decided[0]!;
}
