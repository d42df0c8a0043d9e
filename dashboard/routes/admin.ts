// Admin-only screens: users and roles, API tokens, the two-factor policy, and the audit log.

import { Router, type Response } from 'express';
import { hashPassword, passwordProblem } from '../../src/auth/passwords.js';
import { TWO_FACTOR_POLICIES, type TwoFactorPolicy } from '../../src/auth/roles.js';
import { parseDuration } from '../../src/config/duration.js';
import { describeError, isScriptwardenError, ScriptwardenError } from '../../src/errors.js';
import type { Store } from '../../src/store/open-store.js';
import { actorOf, need } from '../auth/authenticate.js';
import { bodyText, pageNumber, parseId, queryText } from '../request-input.js';
import { sendPage } from '../send-page.js';
import { settingsPage, tokensPage, usersPage } from '../views/admin.js';
import { auditPage } from '../views/audit.js';

const AUDIT_PAGE = 100;

export function adminRouter(store: Store, channels: string[], targetNames: () => Promise<string[]>): Router {
  const router = Router();
  router.use(['/admin', '/audit'], need('manage'));

  const showUsers = async (res: Response, message: string | null, kind = 'error', status = 200) =>
    sendPage(res, usersPage(await store.access.users.list(), message, kind), status);
  /** Runs a user change and shows the list with what happened; a refused change (last admin, bad role) is a 400 with its reason. */
  const userChange = async (res: Response, change: () => unknown, done: string) => {
    try {
      await change();
    } catch (error) {
      if (!isScriptwardenError(error) || (error.code !== 'USAGE' && error.code !== 'NOT_FOUND')) throw error;
      return showUsers(res, describeError(error), 'error', error.code === 'NOT_FOUND' ? 404 : 400);
    }
    await showUsers(res, done, 'ok');
  };

  router.get('/admin/users', (_req, res) => showUsers(res, null));
  router.post('/admin/users', async (req, res) => {
    const name = bodyText(req, 'name').trim();
    const password = bodyText(req, 'password');
    const problem = passwordProblem(password);
    if (problem) return showUsers(res, `The password ${problem}.`, 'error', 400);
    await userChange(res, async () => store.access.users.create({ name, role: bodyText(req, 'role'), passwordHash: await hashPassword(password) }, actorOf(req, res)), `Added ${name}.`);
  });
  router.post('/admin/users/:name/role', (req, res) =>
    userChange(res, () => store.access.users.setRole(String(req.params.name), bodyText(req, 'role'), actorOf(req, res)), `${req.params.name} is now ${bodyText(req, 'role')}.`));
  router.post('/admin/users/:name/remove', (req, res) =>
    userChange(res, () => store.access.users.remove(String(req.params.name), actorOf(req, res)), `Removed ${req.params.name}.`));
  router.post('/admin/users/:name/reset-two-factor', (req, res) =>
    userChange(res, () => store.access.users.setTwoFactor(String(req.params.name), null, [], actorOf(req, res)), `Two-factor reset for ${req.params.name}.`));

  const userNames = async () => (await store.access.users.list()).map((u) => u.name);
  router.get('/admin/tokens', async (_req, res) => sendPage(res, tokensPage(await store.access.tokens.list(), await userNames(), null, null)));
  router.post('/admin/tokens', async (req, res) => {
    const expires = bodyText(req, 'expires') || 'never';
    const ms = expires === 'never' ? null : parseDuration(expires);
    if (expires !== 'never' && (ms === null || ms <= 0)) throw new ScriptwardenError('USAGE', 'expires must be a duration such as 90d, or never');
    const created = await store.access.tokens.create({ user: bodyText(req, 'user'), name: bodyText(req, 'name').trim() || 'api', expiresAt: ms === null ? null : new Date(Date.now() + ms).toISOString() }, actorOf(req, res));
    sendPage(res, tokensPage(await store.access.tokens.list(), await userNames(), created, null), 201);
  });
  router.post('/admin/tokens/:id/revoke', async (req, res) => {
    await store.access.tokens.revoke(parseId(String(req.params.id), 'token id'), actorOf(req, res));
    res.redirect(303, '/admin/tokens');
  });

  const showSettings = async (res: Response, message: string | null) =>
    sendPage(res, settingsPage({ policy: await store.access.twoFactorPolicy(), channels, targets: await targetNames(), paused: await store.access.targets.paused() }, message));
  router.get('/admin/settings', (_req, res) => showSettings(res, null));
  router.post('/admin/settings', async (req, res) => {
    const policy = bodyText(req, 'twoFactorPolicy');
    if (!(TWO_FACTOR_POLICIES as readonly string[]).includes(policy)) throw new ScriptwardenError('USAGE', `twoFactorPolicy must be one of ${TWO_FACTOR_POLICIES.join(', ')}`);
    await store.access.setTwoFactorPolicy(policy as TwoFactorPolicy, actorOf(req, res));
    await showSettings(res, 'Saved.');
  });
  for (const [action, paused] of [['pause', true], ['resume', false]] as const) {
    router.post(`/admin/targets/:name/${action}`, async (req, res) => {
      const name = String(req.params.name);
      if (!(await targetNames()).includes(name)) throw new ScriptwardenError('NOT_FOUND', `no target named "${name}"`);
      await store.access.targets.setPaused(name, paused, actorOf(req, res));
      await showSettings(res, paused ? `Scheduled scans of ${name} are paused.` : `Scheduled scans of ${name} resume now.`);
    });
  }

  router.get('/audit', async (req, res) => {
    const page = pageNumber(req);
    const filter = { actor: queryText(req, 'actor'), type: queryText(req, 'type') };
    const entries = await store.access.audit.list({ actor: filter.actor || undefined, objectType: filter.type || undefined, limit: AUDIT_PAGE + 1, offset: (page - 1) * AUDIT_PAGE });
    sendPage(res, auditPage(entries.slice(0, AUDIT_PAGE), { page, hasMore: entries.length > AUDIT_PAGE, ...filter }, await store.access.audit.verify()));
  });
  return router;
}
