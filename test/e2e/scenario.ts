// One e2e scenario: a fresh project on the fixture shop, scanned and approved, ready to be attacked.

import { startFixtureSite, type FixtureSite } from '../fixtures/fixture-site.js';
import { installShop } from '../fixtures/shop.js';
import { parseJson, runCli, tempProject, writeConfig, type CliResult } from '../fixtures/cli.js';
import type { AlertRecord } from '../../src/capture/types.js';

export interface ScanJson {
  exitCode: number;
  targets: { target: string; profile: string; status: string; error: { code: string; message: string } | null; warnings: string[]; failedLoads: { url: string; error: string }[] }[];
  alerts: (AlertRecord & { details: Record<string, unknown> })[];
}

export interface Scenario {
  site: FixtureSite;
  dir: string;
  cli(...args: string[]): Promise<CliResult>;
  scan(...args: string[]): Promise<{ result: CliResult; json: ScanJson }>;
  close(): Promise<void>;
}

/** `canary: false` turns the behavioural pass off, for tests about something else (it adds about a second per payment page). */
export async function baselinedShop(options: { withResource?: boolean; extraConfig?: string; pageTimeout?: string; env?: Record<string, string>; canary?: boolean; ownBrowser?: boolean } = {}): Promise<Scenario> {
  const site = await startFixtureSite();
  installShop(site);
  const dir = tempProject();
  const targets = [{ name: 'checkout', url: site.url('shop.test', '/checkout') }];
  if (options.withResource) targets.push({ name: 'uploader', url: site.url('downloads.test', '/bash'), type: 'resource' } as never);
  const extra = [options.extraConfig ?? '', options.canary === false ? 'canary:\n  enabled: false' : ''].filter(Boolean).join('\n');
  writeConfig(dir, targets, extra, options.pageTimeout, { ownBrowser: options.ownBrowser });
  const cli = (...args: string[]) => runCli(args, { cwd: dir, env: options.env });
  const scan = async (...args: string[]) => {
    const result = await cli('scan', '--json', ...args);
    return { result, json: parseJson<ScanJson>(result) };
  };
  const first = await scan();
  if (first.result.code !== 0) throw new Error(`baseline scan failed: ${first.result.stdout}${first.result.stderr}`);
  const approved = await cli('approve', '--all', '--note', 'initial inventory reviewed', '--by', 'alice');
  if (approved.code !== 0) throw new Error(`approve failed: ${approved.stderr}`);
  return { site, dir, cli, scan, close: () => site.close() };
}
