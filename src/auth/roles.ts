// Roles and what each may do: viewers read, approvers also decide alerts, admins also manage users, tokens and settings.

export const ROLES = ['viewer', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** What a route needs. Each role includes the ones before it. */
export type Permission = 'read' | 'decide' | 'manage';

const NEEDS: Record<Permission, Role> = { read: 'viewer', decide: 'approver', manage: 'admin' };

export function allows(role: Role, permission: Permission): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(NEEDS[permission]);
}

/** The two-factor policy an admin sets: nobody is forced, or approvers and admins must enrol. */
export const TWO_FACTOR_POLICIES = ['optional', 'approvers'] as const;
export type TwoFactorPolicy = (typeof TWO_FACTOR_POLICIES)[number];

export function twoFactorRequired(role: Role, policy: TwoFactorPolicy): boolean {
  return policy === 'approvers' && allows(role, 'decide');
}
