// Renders scriptwarden's own HTML (an assessor report) to PDF in a fresh context: no JavaScript, no network, A4.

import type { Browser } from 'puppeteer';

// A name that never resolves (RFC 2606): the document never comes from the network.
const REPORT_URL = 'https://scriptwarden-report.invalid/';

/** The PDF of an HTML document; the document may not fetch anything (every request but its own is refused). */
export async function renderPdf(browser: Browser, html: string, options: { timeoutMs?: number } = {}): Promise<Buffer> {
  const context = await browser.createBrowserContext();
  try {
    const page = await context.newPage();
    await page.setJavaScriptEnabled(false);
    await page.setRequestInterception(true);
    page.on('request', (request) => {
      if (request.isInterceptResolutionHandled()) return;
      // The document is answered here; it is self-contained, so anything it would load is refused.
      if (request.url() === REPORT_URL) void request.respond({ status: 200, contentType: 'text/html; charset=utf-8', body: html });
      else void request.abort('blockedbyclient');
    });
    await page.goto(REPORT_URL, { waitUntil: 'load', timeout: options.timeoutMs ?? 60_000 });
    const pdf = await page.pdf({
      format: 'A4', printBackground: true, timeout: options.timeoutMs ?? 60_000,
      margin: { top: '16mm', bottom: '18mm', left: '14mm', right: '14mm' },
      displayHeaderFooter: true,
      headerTemplate: '<span></span>',
      footerTemplate: '<div style="font-size:8px;width:100%;text-align:center;color:#666">scriptwarden report · page <span class="pageNumber"></span> of <span class="totalPages"></span></div>',
    });
    return Buffer.from(pdf);
  } finally {
    await context.close().catch(() => undefined);
  }
}
