// Validates what a request carries: query filters and decision bodies; bad input is a USAGE error (HTTP 400).

import type { Request } from 'express';
import { ScriptwardenError } from '../src/errors.js';
import { MASK_RULES, type MaskRule } from '../src/plan/normalize.js';
import { ALERT_STATUSES, SEVERITIES, type AlertStatus } from '../src/capture/types.js';

/** A query parameter as text; '' when absent or repeated. */
export function queryText(req: Request, name: string): string {
  const value = req.query[name];
  return typeof value === 'string' ? value : '';
}

/** A positive whole number from a path or query (an id, a page); anything else is a USAGE error naming `what`. */
export function parseId(raw: string, what: string): number {
  if (!/^[1-9]\d{0,15}$/.test(raw)) throw new ScriptwardenError('USAGE', `${what} must be a positive whole number`);
  return Number(raw);
}

/** The `page` query parameter: 1 when absent. */
export function pageNumber(req: Request): number {
  return req.query.page === undefined ? 1 : parseId(queryText(req, 'page'), 'page');
}

/** A form or JSON body field as text; '' when absent, not text, or longer than `max`. */
export function bodyText(req: Request, name: string, max = 1024): string {
  const value = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' && value.length <= max ? value : '';
}

export function decisionInput(req: Request, fallbackActor: string): { note: string | null; by: string } {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const note = body.note;
  const by = body.by;
  if (note !== undefined && note !== null && (typeof note !== 'string' || note.length > 2000)) {
    throw new ScriptwardenError('USAGE', 'note must be a string of at most 2000 characters');
  }
  if (by !== undefined && (typeof by !== 'string' || by.trim() === '' || by.length > 100)) {
    throw new ScriptwardenError('USAGE', 'by must be a non-empty string of at most 100 characters');
  }
  return { note: typeof note === 'string' && note.trim() ? note : null, by: typeof by === 'string' ? by.trim() : fallbackActor };
}

export function statusFilter(raw: unknown): AlertStatus | 'all' | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (raw === 'all' || ALERT_STATUSES.includes(raw as AlertStatus)) return raw as AlertStatus | 'all';
  throw new ScriptwardenError('USAGE', `status must be one of ${[...ALERT_STATUSES, 'all'].join(', ')}`);
}

export function severityFilter(raw: unknown): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (SEVERITIES.includes(raw as never)) return raw as string;
  throw new ScriptwardenError('USAGE', `severity must be one of ${SEVERITIES.join(', ')}`);
}

/** The masking rules a rules form leaves switched on: checkboxes named `rule`, one per enabled rule. */
export function rulesInput(req: Request): { enabled: MaskRule[]; forgetLearned: boolean } {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const raw = body.rule === undefined ? [] : Array.isArray(body.rule) ? body.rule : [body.rule];
  const enabled = raw.filter((r): r is MaskRule => typeof r === 'string' && (MASK_RULES as readonly string[]).includes(r));
  if (enabled.length !== raw.length) throw new ScriptwardenError('USAGE', `rule must be one of ${MASK_RULES.join(', ')}`);
  return { enabled, forgetLearned: body.forget === 'on' };
}
