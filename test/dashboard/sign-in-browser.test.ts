// In real Chromium: an approver enrols in two-factor, approves an alert and signs in again with a code; a viewer is
// refused; a page on another site cannot make a signed-in browser approve anything.

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Browser, Page } from 'puppeteer';
import { codeFor, PASSWORD } from '../fixtures/access.js';
import { launchTestPuppeteer } from '../fixtures/browser.js';
import { startAccessSetup, type AccessSetup } from './access-setup.js';

async function fillLogin(page: Page, name: string): Promise<void> {
  await page.type('input[name=name]', name);
  await page.type('input[name=password]', PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('form.sign-in button[type=submit]')]);
}

describe('signing in and deciding in Chromium', () => {
  let s: AccessSetup;
  let browser: Browser;
  let evil: Server;
  let evilPort: number;
  let secret = '';

  beforeAll(async () => {
    s = await startAccessSetup();
    await s.store.access.setTwoFactorPolicy('approvers', { name: 'adam', ip: null });
    browser = await launchTestPuppeteer({ '*.test': '127.0.0.1' });
    // Another site: its page posts the approval form to the dashboard as soon as it loads.
    evil = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<form id="f" method="post" action="${s.base}/alerts/${s.alertIds[1]}/approve"><input name="note" value="pwned"></form><script>document.getElementById('f').submit()</script>`);
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    evilPort = (evil.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await browser?.close();
    evil?.close();
    await s?.close();
  });

  it('enrols an approver in two-factor at first sign-in, then approves an alert', async () => {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    page.on('dialog', (d) => { void d.accept(); });
    await page.goto(`${s.base}/alerts/${s.alertIds[0]}`);
    assert.match(page.url(), /\/login\?next=%2Falerts%2F/);
    await fillLogin(page, 'april');
    assert.match(page.url(), /\/account\/two-factor$/);
    const qr = await page.$eval('img.qr', (img) => ({ loaded: (img as HTMLImageElement).naturalWidth > 0, src: (img as HTMLImageElement).src.slice(0, 26) }));
    assert.deepEqual(qr, { loaded: true, src: 'data:image/svg+xml;base64,' });
    secret = (await page.$eval('.totp-secret', (el) => el.textContent ?? '')).replace(/\s/g, '');
    await page.type('input[name=code]', codeFor(secret));
    await Promise.all([page.waitForNavigation(), page.click('form.sign-in button[type=submit]')]);
    const codes = await page.$$eval('.recovery-codes code', (els) => els.map((e) => e.textContent));
    assert.equal(codes.length, 10);

    await page.goto(`${s.base}/alerts/${s.alertIds[0]}`);
    await page.type('form.decide.approve textarea[name=note]', 'vendor release, ticket CHG-7');
    assert.equal(await page.$('form.decide input[name=by]'), null, 'signed in, the form does not ask who you are');
    await Promise.all([page.waitForNavigation(), page.click('form.decide.approve button')]);
    assert.equal((await s.store.alerts.get(s.alertIds[0]!))!.status, 'approved');
    const history = await page.$eval('table.audit', (t) => t.textContent ?? '');
    assert.match(history, /alert\.approved[\s\S]*vendor release, ticket CHG-7/);
    assert.match(history, /april/);
    await context.close();
  });

  it('signs the approver in again with a password and a fresh authenticator code', async () => {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    await page.goto(`${s.base}/login`);
    await fillLogin(page, 'april');
    assert.match(page.url(), /\/login\/two-factor/);
    // The code used at enrolment is spent: the next step's code (within the allowed drift) signs in.
    await page.type('input[name=code]', codeFor(secret, 1));
    await Promise.all([page.waitForNavigation(), page.click('form.sign-in button[type=submit]')]);
    assert.equal(new URL(page.url()).pathname, '/');
    assert.match(await page.$eval('nav.account', (n) => n.textContent ?? ''), /april\s*approver/);

    // While signed in here, another site's auto-submitting form must not approve anything.
    const attack = await context.newPage();
    await attack.goto(`http://evil.test:${evilPort}/`);
    await attack.waitForNetworkIdle({ idleTime: 200 });
    assert.equal((await s.store.alerts.get(s.alertIds[1]!))!.status, 'open', 'the cross-site post changed nothing');
    assert.doesNotMatch(new URL(attack.url()).pathname, new RegExp(`/alerts/${s.alertIds[1]}$`));
    await context.close();
  });

  it('shows a viewer no decision forms and refuses a forged approval', async () => {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    await page.goto(`${s.base}/login`);
    await fillLogin(page, 'vera');
    await page.goto(`${s.base}/alerts/${s.alertIds[2]}`);
    assert.equal(await page.$('form.decide'), null);
    assert.match(await page.content(), /an approver or admin decides it/);
    // The viewer's own session and CSRF token, posted by hand: the role still says no.
    const status = await page.evaluate(async (id) => {
      const token = (document.querySelector('input[name=_csrf]') as HTMLInputElement).value;
      const response = await fetch(`/alerts/${id}/approve`, { method: 'POST', body: new URLSearchParams({ _csrf: token, note: 'sneaky' }), redirect: 'manual' });
      return response.status;
    }, s.alertIds[2]);
    assert.equal(status, 403);
    assert.equal((await s.store.alerts.get(s.alertIds[2]!))!.status, 'open');
    await context.close();
  });
});
