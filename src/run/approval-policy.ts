// The approval policy (config `approvals`) as the store records it: a change of it is audited and told to every channel.

import type { Config } from '../config/config.js';
import type { ApprovalPolicy } from '../auth/approvals.js';
import type { Store } from '../store/open-store.js';
import { notifySettingChange } from './notify.js';

const KEY = 'approvals';

export interface PolicyChange {
  before: ApprovalPolicy | null;
  after: ApprovalPolicy;
}

/**
 * Compares the config's approval policy with the one last recorded. A change is written to the audit log (as the
 * config file, since that is where it was made) and returned; the first record of the default policy is not a change
 * worth telling anyone about, but it is audited too.
 */
export async function recordApprovalPolicy(store: Store, config: Pick<Config, 'approvals' | 'configPath'>, now = new Date().toISOString()): Promise<PolicyChange | null> {
  const after: ApprovalPolicy = { required: config.approvals.required, from: config.approvals.from };
  const before = await store.access.recordSetting(KEY, JSON.stringify(after), { name: `config file ${config.configPath}`, ip: null }, now);
  if (before === undefined) return null;
  const previous = before === null ? null : (JSON.parse(before) as ApprovalPolicy);
  if (previous === null && after.required === 1) return null;
  return { before: previous, after };
}

/** Records the policy and, when it changed, tells every notification channel (best effort; the audit log has it either way). */
export async function watchApprovalPolicy(store: Store, config: Config, log: (line: string) => void): Promise<ApprovalPolicy> {
  const change = await recordApprovalPolicy(store, config);
  if (change) {
    log(`approvals: the policy changed from ${describePolicy(change.before)} to ${describePolicy(change.after)} (audited)`);
    await notifySettingChange(config, { setting: KEY, before: describePolicy(change.before), after: describePolicy(change.after), by: `config file ${config.configPath}`, at: new Date().toISOString() }, log);
  }
  return { required: config.approvals.required, from: config.approvals.from };
}

export function describePolicy(policy: ApprovalPolicy | null): string {
  if (!policy || policy.required <= 1) return 'one approval';
  return `${policy.required} approvals by different people for ${policy.from} alerts and above`;
}
