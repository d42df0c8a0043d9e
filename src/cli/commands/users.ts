// `users add|list|remove|set-role|reset-password|reset-two-factor`: dashboard accounts, managed from the server's shell.

import { hashPassword, passwordProblem } from '../../auth/passwords.js';
import { ScriptwardenError } from '../../errors.js';
import { safeText } from '../output.js';
import type { Actor } from '../../store/users.js';
import { EXIT, withStore, type CommandContext } from './context.js';

interface Common {
  config?: string;
}

/** Whoever runs the command line acts as themselves, from the shell (no address). */
export const cliActor = (ctx: CommandContext): Actor => ({ name: `cli:${ctx.defaultActor}`, ip: null });

/** A new password: the first line of piped stdin (or with --password-stdin), else typed twice without echo. */
async function newPassword(ctx: CommandContext, fromStdin: boolean | undefined): Promise<string> {
  let password: string;
  if (fromStdin || !ctx.stdin.isTTY) {
    password = (await ctx.stdin.readAll()).split(/\r?\n/)[0] ?? '';
  } else {
    password = await ctx.stdin.readHidden('New password: ');
    if ((await ctx.stdin.readHidden('Repeat it: ')) !== password) throw new ScriptwardenError('USAGE', 'the two passwords differ');
  }
  const problem = passwordProblem(password);
  if (problem) throw new ScriptwardenError('USAGE', `password ${problem}${password === '' ? ' (pipe it on stdin with --password-stdin)' : ''}`);
  return hashPassword(password);
}

export async function usersAddCommand(name: string, opts: Common & { role?: string; passwordStdin?: boolean }, ctx: CommandContext): Promise<number> {
  if (!opts.role) throw new ScriptwardenError('USAGE', '--role is required: viewer, approver or admin');
  const hash = await newPassword(ctx, opts.passwordStdin);
  return withStore(opts.config, ctx, async (store) => {
    const user = await store.access.users.create({ name, role: opts.role!, passwordHash: hash }, cliActor(ctx));
    ctx.stdout.write(`Added ${user.name} (${user.role}).\n`);
    return EXIT.ok;
  });
}

export async function usersListCommand(opts: Common & { json?: boolean }, ctx: CommandContext): Promise<number> {
  return withStore(opts.config, ctx, async (store) => {
    const users = await store.access.users.list();
    if (opts.json) ctx.stdout.write(`${JSON.stringify({ users, twoFactorPolicy: await store.access.twoFactorPolicy() }, null, 2)}\n`);
    else if (users.length === 0) ctx.stdout.write('No users yet. Add the first admin with: npx scriptwarden users add NAME --role admin\n');
    else {
      const rows = users.map((u) => [u.name, u.role, u.twoFactor ? '2fa' : '-', u.lockedUntil ? `locked until ${u.lockedUntil}` : '', u.lastLoginAt ?? 'never', `${u.tokens} tokens`]);
      for (const row of rows) ctx.stdout.write(`${row.map((c) => safeText(c)).join('  ')}\n`);
    }
    return EXIT.ok;
  });
}

export async function usersRemoveCommand(name: string, opts: Common, ctx: CommandContext): Promise<number> {
  return withStore(opts.config, ctx, async (store) => {
    await store.access.users.remove(name, cliActor(ctx));
    ctx.stdout.write(`Removed ${name}; their sessions and tokens no longer work.\n`);
    return EXIT.ok;
  });
}

export async function usersSetRoleCommand(name: string, role: string, opts: Common, ctx: CommandContext): Promise<number> {
  return withStore(opts.config, ctx, async (store) => {
    const user = await store.access.users.setRole(name, role, cliActor(ctx));
    ctx.stdout.write(`${user.name} is now ${user.role}.\n`);
    return EXIT.ok;
  });
}

export async function usersResetPasswordCommand(name: string, opts: Common & { passwordStdin?: boolean }, ctx: CommandContext): Promise<number> {
  await withStore(opts.config, ctx, async (store) => {
    if (!(await store.access.users.get(name))) throw new ScriptwardenError('NOT_FOUND', `no user named "${name}"`);
  });
  const hash = await newPassword(ctx, opts.passwordStdin);
  return withStore(opts.config, ctx, async (store) => {
    await store.access.users.setPassword(name, hash, cliActor(ctx));
    ctx.stdout.write(`New password set for ${name}; the lockout is cleared and their sessions are signed out.\n`);
    return EXIT.ok;
  });
}

export async function usersResetTwoFactorCommand(name: string, opts: Common, ctx: CommandContext): Promise<number> {
  return withStore(opts.config, ctx, async (store) => {
    await store.access.users.setTwoFactor(name, null, [], cliActor(ctx));
    ctx.stdout.write(`Two-factor removed for ${name}; they enrol again at their next sign-in.\n`);
    return EXIT.ok;
  });
}
