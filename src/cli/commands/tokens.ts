// `tokens create|list|revoke`: API tokens for automation, printed once and stored only as a hash.

import { parseDuration } from '../../config/duration.js';
import { ScriptwardenError } from '../../errors.js';
import { safeText } from '../output.js';
import { EXIT, withStore, type CommandContext } from './context.js';
import { cliActor } from './users.js';

export async function tokensCreateCommand(opts: { config?: string; user: string; name?: string; expires?: string; json?: boolean }, ctx: CommandContext): Promise<number> {
  let expiresAt: string | null = null;
  if (opts.expires !== undefined && opts.expires !== 'never') {
    const ms = parseDuration(opts.expires);
    if (ms === null || ms <= 0) throw new ScriptwardenError('USAGE', `--expires must be a duration such as 90d or 12h, or "never", not "${opts.expires}"`);
    expiresAt = new Date(Date.now() + ms).toISOString();
  }
  return withStore(opts.config, ctx, async (store) => {
    const { token, summary } = await store.access.tokens.create({ user: opts.user, name: opts.name ?? 'api', expiresAt }, cliActor(ctx));
    if (opts.json) ctx.stdout.write(`${JSON.stringify({ token, ...summary }, null, 2)}\n`);
    else {
      ctx.stderr.write(`Token #${summary.id} "${summary.name}" for ${summary.user}, ${expiresAt ? `expires ${expiresAt}` : 'does not expire'}. It is shown only now:\n`);
      ctx.stdout.write(`${token}\n`);
      ctx.stderr.write('Send it as: Authorization: Bearer <token>\n');
    }
    return EXIT.ok;
  });
}

export async function tokensListCommand(opts: { config?: string; user?: string; json?: boolean }, ctx: CommandContext): Promise<number> {
  return withStore(opts.config, ctx, async (store) => {
    const tokens = await store.access.tokens.list(opts.user);
    if (opts.json) ctx.stdout.write(`${JSON.stringify({ tokens }, null, 2)}\n`);
    else if (tokens.length === 0) ctx.stdout.write('No API tokens.\n');
    else {
      for (const t of tokens) {
        ctx.stdout.write(`#${t.id}  ${safeText(t.user)}  ${safeText(t.name)}  ${t.prefix}…  ${t.state}  created ${t.createdAt}  expires ${t.expiresAt ?? 'never'}  last used ${t.lastUsedAt ?? 'never'}\n`);
      }
    }
    return EXIT.ok;
  });
}

/** Revokes by id (from tokens list) or by the token itself, for one that leaked. */
export async function tokensRevokeCommand(rawId: string, opts: { config?: string }, ctx: CommandContext): Promise<number> {
  const byValue = rawId.startsWith('swt_');
  if (!byValue && !/^[1-9]\d{0,15}$/.test(rawId)) throw new ScriptwardenError('USAGE', `"${rawId}" is not a token id (see tokens list) or a token`);
  return withStore(opts.config, ctx, async (store) => {
    const id = byValue ? await store.access.tokens.idOf(rawId) : Number(rawId);
    if (id === null) throw new ScriptwardenError('NOT_FOUND', 'no such token');
    const token = await store.access.tokens.revoke(id, cliActor(ctx));
    ctx.stdout.write(`Revoked token #${token.id} "${safeText(token.name)}" of ${safeText(token.user)}; it is refused from now on.\n`);
    return EXIT.ok;
  });
}
