// Two-person approval through the API and the dashboard: "1 of 2", one person twice refused, a token acts as its user.

import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { addUser, signIn } from '../fixtures/access.js';
import { startAccessSetup, type AccessSetup } from './access-setup.js';

describe('two-person approval', () => {
  let s: AccessSetup;
  let secondApprover: string;
  const approve = (id: number, token: string, note = 'reviewed') => fetch(`${s.base}/api/alerts/${id}/approve`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ note }),
  });

  beforeAll(async () => {
    s = await startAccessSetup({}, { approvals: { required: 2, from: 'info' } });
    await addUser(s.store, 'bea', 'approver');
    secondApprover = (await s.store.access.tokens.create({ user: 'bea', name: 'test', expiresAt: null }, { name: 'setup', ip: null })).token;
  });
  afterAll(async () => { await s.close(); });

  it('keeps an alert open after the first approval, shows "1 of 2", refuses the same person again, and approves with a second person', async () => {
    const id = s.alertIds[0]!;
    const first = await approve(id, s.tokens.approver, 'vendor release, checked the diff');
    assert.equal(first.status, 200);
    const { alert } = await first.json() as { alert: { status: string; approvals: { by: string }[]; approvalsRequired: number } };
    assert.deepEqual([alert.status, alert.approvals.map((a) => a.by), alert.approvalsRequired], ['open', ['april'], 2]);
    assert.equal((await s.store.inventory.scripts({})).find((r) => r.sha256 === s.blobSha)!.state, 'unapproved', 'the new version is not in the baseline yet');

    const again = await approve(id, s.tokens.approver);
    assert.equal(again.status, 403);
    assert.match(((await again.json()) as { error: { message: string } }).error.message, /already approved by april/);

    const { cookie } = await signIn(s.base, 'vera');
    const page = await (await fetch(`${s.base}/alerts/${id}`, { headers: { cookie: `sw_session=${cookie}` } })).text();
    assert.match(page, /<strong>1 of 2<\/strong> approvals: april/, page.slice(0, 3000));
    const list = await (await fetch(`${s.base}/alerts`, { headers: { cookie: `sw_session=${cookie}` } })).text();
    assert.match(list, new RegExp(`href="/alerts/${id}">#${id}</a></td><td>.*?</td><td><span class="state state-open">open</span> <span class="muted small">1 of 2 approvals</span>`));

    const second = await approve(id, secondApprover, 'second look: fine');
    assert.equal(second.status, 200);
    const done = (await second.json() as { alert: { status: string; approvals: { by: string }[] } }).alert;
    assert.deepEqual([done.status, done.approvals.map((a) => a.by).sort()], ['approved', ['april', 'bea']]);
    assert.equal((await s.store.alerts.get(id))!.decidedBy, 'bea');
    assert.equal((await s.store.inventory.scripts({})).find((r) => r.sha256 === s.blobSha)!.state, 'approved');
    const audit = (await s.store.access.audit.list({ objectType: 'alert', objectId: id })).map((e) => [e.action, e.actor]);
    assert.deepEqual(audit.reverse(), [['alert.approval_recorded', 'april'], ['alert.approved', 'bea']]);
  });

  it('gives an admin no way around it, and lets a rejection by anyone end it', async () => {
    const id = s.alertIds[1]!;
    const alone = await approve(id, s.tokens.admin);
    assert.equal(((await alone.json()) as { alert: { status: string } }).alert.status, 'open', 'an admin\'s approval is one of two as well');
    const rejected = await fetch(`${s.base}/api/alerts/${id}/reject`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${s.tokens.approver}` }, body: JSON.stringify({ note: 'not ours, incident INC-7' }),
    });
    const alert = ((await rejected.json()) as { alert: { status: string; approvals: unknown[] } }).alert;
    assert.deepEqual([alert.status, alert.approvals.length], ['rejected', 0]);
  });
});
