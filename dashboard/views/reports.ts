// The Reports screen: choose pages and a period, then view the PCI DSS report or download it as HTML, PDF or JSON.

import { html } from '../html.js';
import { layout } from './layout.js';

export interface ReportsView {
  targets: string[];
  /** Default period, as dates (YYYY-MM-DD). */
  from: string;
  to: string;
  pdf: boolean;
}

export function reportsPage(view: ReportsView): string {
  return layout('Reports', html`
    <h1>Reports <span class="muted small">PCI DSS 6.4.3 and 11.6.1</span></h1>
    <p>For an assessor: every payment page's script inventory with who authorized each script and why, its security-header
      history, every evaluation and its gaps against the required frequency, every alert and how it was resolved, and the
      tamper evidence. Each file ends with a manifest that <code>scriptwarden report --verify FILE</code> checks.</p>
    <form method="get" action="/reports/download" class="filters report-form">
      <fieldset><legend>Payment pages <span class="muted small">none ticked: every payment page</span></legend>
        ${view.targets.map((t) => html`<label><input type="checkbox" name="target" value="${t}"> ${t}</label>`)}</fieldset>
      <label>From <input type="date" name="from" value="${view.from}" required></label>
      <label>To <input type="date" name="to" value="${view.to}" required></label>
      <button type="submit" name="format" value="view">View</button>
      <button type="submit" name="format" value="html">Download HTML</button>
      ${view.pdf ? html`<button type="submit" name="format" value="pdf">Download PDF</button>` : ''}
      <button type="submit" name="format" value="json">Download JSON</button>
    </form>
    ${view.pdf ? '' : html`<p class="muted small">PDF downloads need the browser, which this dashboard was started without; use <code>scriptwarden report --format pdf</code>.</p>`}
  `, { active: '/reports' });
}
