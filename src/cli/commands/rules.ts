// `scriptwarden rules SCRIPT_ID`: shows and switches the masking rules that apply to one script.

import { ScriptwardenError } from '../../errors.js';
import { MASK_RULE_HELP, MASK_RULES, normalizedHash, type MaskRule } from '../../plan/normalize.js';
import { safeText } from '../output.js';
import { EXIT, withStore, type CommandContext } from './context.js';

export interface RulesOptions {
  config?: string;
  disable?: string[];
  enable?: string[];
  forgetLearned?: boolean;
  json?: boolean;
}

function ruleList(values: string[] | undefined, flag: string): MaskRule[] {
  const rules = (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  const unknown = rules.filter((r) => !(MASK_RULES as readonly string[]).includes(r));
  if (unknown.length) throw new ScriptwardenError('USAGE', `${flag}: unknown rule ${unknown.map((r) => `"${r}"`).join(', ')}; rules: ${MASK_RULES.join(', ')}`);
  return rules as MaskRule[];
}

export async function rulesCommand(rawId: string, options: RulesOptions, ctx: CommandContext): Promise<number> {
  if (!/^[1-9]\d{0,15}$/.test(rawId)) throw new ScriptwardenError('USAGE', 'SCRIPT_ID must be a positive whole number (see "scriptwarden inventory")');
  const disable = ruleList(options.disable, '--disable');
  const enable = ruleList(options.enable, '--enable');
  const both = disable.filter((r) => enable.includes(r));
  if (both.length) throw new ScriptwardenError('USAGE', `rule ${both.join(', ')} is both enabled and disabled`);
  return withStore(options.config, ctx, async (store) => {
    const id = Number(rawId);
    const script = await store.inventory.script(id);
    if (!script) throw new ScriptwardenError('NOT_FOUND', `no script with id ${id}`);
    const current = await store.inventory.maskSettings(id);
    if (disable.length || enable.length || options.forgetLearned) {
      const disabled = [...new Set([...current.disabled, ...disable])].filter((r) => !enable.includes(r));
      const next = { disabled, learned: options.forgetLearned ? [] : current.learned };
      await store.inventory.setMaskSettings(id, next, normalizedHash(next));
    }
    const settings = await store.inventory.maskSettings(id);
    const rules = MASK_RULES.map((rule) => ({ rule, enabled: !settings.disabled.includes(rule), masks: MASK_RULE_HELP[rule] }));
    if (options.json) {
      ctx.stdout.write(`${JSON.stringify({ scriptId: id, subject: script.key, target: script.target, profile: script.profile, rules, learnedTokens: settings.learned.length }, null, 2)}\n`);
    } else {
      ctx.stdout.write(`Script #${id} ${safeText(script.key, 120)} (${safeText(script.target, 40)}, ${script.profile})\n`);
      for (const r of rules) ctx.stdout.write(`  ${r.enabled ? 'on ' : 'off'}  ${r.rule.padEnd(15)} ${r.masks}${r.rule === 'learned-tokens' ? ` (${settings.learned.length} learned)` : ''}\n`);
    }
    return EXIT.ok;
  });
}
