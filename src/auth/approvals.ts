// The approval policy (config `approvals`): how many different people must approve an alert of a given severity.

import { severityRank, type Severity } from '../capture/types.js';

/** `approvals.required` approvals by different people for alerts from `approvals.from` up (config); 1 means one is enough. */
export interface ApprovalPolicy {
  required: number;
  from: Severity;
}

/** How many approvals this alert needs under the policy. */
export function approvalsNeeded(policy: ApprovalPolicy | undefined, severity: Severity): number {
  return policy && policy.required > 1 && severityRank(severity) >= severityRank(policy.from) ? policy.required : 1;
}

/** An alert as the API and the command line's JSON give it: with the approvals it needs (`approvals` lists those given). */
export function withApprovalsRequired<T extends { severity: Severity }>(alert: T, policy: ApprovalPolicy | undefined): T & { approvalsRequired: number } {
  return { ...alert, approvalsRequired: approvalsNeeded(policy, alert.severity) };
}
