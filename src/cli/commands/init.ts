// `scriptwarden init`: writes a commented starter configuration.

import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CONFIG_TEMPLATE } from '../../config/config-template.js';
import { ScriptwardenError } from '../../errors.js';
import { EXIT, type CommandContext } from './context.js';

export function initCommand(path: string | undefined, options: { force?: boolean }, ctx: CommandContext): number {
  const target = resolve(ctx.cwd, path ?? 'scriptwarden.yml');
  if (existsSync(target) && !options.force) {
    throw new ScriptwardenError('USAGE', `${target} already exists; pass --force to overwrite it`);
  }
  try {
    writeFileSync(target, CONFIG_TEMPLATE, { flag: options.force ? 'w' : 'wx' });
  } catch (error) {
    throw new ScriptwardenError('USAGE', `cannot write ${target}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  ctx.stdout.write(`Wrote ${target}. Edit its targets, then run "scriptwarden scan".\n`);
  return EXIT.ok;
}
