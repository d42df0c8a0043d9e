// `scriptwarden verify`: checks the tamper-evident scan chains, their anchors and the content store; exit 1 at the first break.

import { EXIT, withStore, type CommandContext } from './context.js';

export const VERIFY_BROKEN = 1;

export async function verifyCommand(options: { config?: string; json?: boolean }, ctx: CommandContext): Promise<number> {
  return withStore(options.config, ctx, async (store) => {
    const report = await store.scans.verify();
    if (options.json) ctx.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else if (report.ok) {
      const older = report.unchained ? ` (${report.unchained} written before the chain existed, not judged)` : '';
      ctx.stdout.write(`OK: ${report.scans} scans follow the chain${older}; ${report.blobs} stored blobs match their SHA-256; ${report.auditEntries} audit entries follow their chain; ${report.chains} page chains end at their heads, and ${report.anchors} anchors match them\n`);
    } else {
      ctx.stdout.write(`BROKEN: ${report.firstBreak!.reason}\n`);
    }
    return report.ok ? EXIT.ok : VERIFY_BROKEN;
  });
}
