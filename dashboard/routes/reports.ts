// The Reports screen and its downloads: the same report as `scriptwarden report`, built from the request's period.

import { Router, type Request } from 'express';
import { ScriptwardenError } from '../../src/errors.js';
import type { Config } from '../../src/config/config.js';
import { REPORT_FORMATS, renderReport, reportParameters } from '../../src/evidence/report-file.js';
import type { ReportFormat } from '../../src/evidence/report-manifest.js';
import type { Store } from '../../src/store/open-store.js';
import { need } from '../auth/authenticate.js';
import { queryText } from '../request-input.js';
import { sendPage } from '../send-page.js';
import { reportsPage } from '../views/reports.js';

export interface ReportDeps {
  config: Config;
  /** scriptwarden's own HTML to PDF (serve's browser); absent: no PDF downloads. */
  renderPdf?: (html: string) => Promise<Buffer>;
  generator: string;
}

function targetsOf(req: Request, config: Config): string[] {
  const raw = req.query.target;
  const names = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map(String);
  for (const name of names) if (!config.targets.some((t) => t.name === name)) throw new ScriptwardenError('USAGE', `unknown target "${name.slice(0, 100)}"`);
  return names;
}

export function reportsRouter(store: Store, deps: ReportDeps): Router {
  const router = Router();
  router.get('/reports', need('read'), (_req, res) => {
    const to = new Date();
    const from = new Date(to.getTime() - 90 * 86_400_000);
    sendPage(res, reportsPage({ targets: deps.config.targets.filter((t) => t.type === 'page').map((t) => t.name), from: from.toISOString().slice(0, 10), to: to.toISOString().slice(0, 10), pdf: Boolean(deps.renderPdf) }));
  });
  router.get('/reports/download', need('read'), async (req, res) => {
    const asked = queryText(req, 'format');
    const format = (asked === 'view' ? 'html' : asked) as ReportFormat;
    if (!REPORT_FORMATS.includes(format)) throw new ScriptwardenError('USAGE', `format must be view or one of ${REPORT_FORMATS.join(', ')}`);
    if (format === 'pdf' && !deps.renderPdf) throw new ScriptwardenError('USAGE', 'PDF downloads need the browser: use scriptwarden report --format pdf');
    const parameters = await reportParameters({ from: queryText(req, 'from') || undefined, to: queryText(req, 'to') || undefined, target: targetsOf(req, deps.config) }, deps.config, store);
    const bytes = await renderReport(store, deps.config, parameters, format, deps.generator, (page) => deps.renderPdf!(page));
    const type = { html: 'text/html; charset=utf-8', json: 'application/json; charset=utf-8', pdf: 'application/pdf' }[format];
    // The report is a document of its own: inline styles only, nothing it could load or run.
    res.set({ 'Cache-Control': 'no-store', 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'" });
    if (asked !== 'view') res.set('Content-Disposition', `attachment; filename="scriptwarden-report-${parameters.from.slice(0, 10)}-${parameters.to.slice(0, 10)}.${format}"`);
    res.type(type).send(bytes);
  });
  return router;
}
