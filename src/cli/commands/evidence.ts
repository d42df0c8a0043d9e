// `scriptwarden evidence ALERT_ID --out incident.zip`: one alert's evidence bundle with a SHA-256 manifest.

import { createWriteStream, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadConfig } from '../../config/config.js';
import { ScriptwardenError } from '../../errors.js';
import { bundleFiles, writeBundle, type BundleFile } from '../../evidence/evidence-bundle.js';
import { openStore } from '../../store/open-store.js';
import { EXIT, type CommandContext } from './context.js';

export async function evidenceCommand(id: string, options: { config?: string; out: string }, ctx: CommandContext): Promise<number> {
  if (!/^\d+$/.test(id)) throw new ScriptwardenError('USAGE', `alert id must be a number, not "${id}"`);
  const out = resolve(ctx.cwd, options.out);
  if (!existsSync(dirname(out))) throw new ScriptwardenError('USAGE', `--out: folder ${dirname(out)} does not exist`);
  const config = loadConfig(options.config, ctx.cwd, ctx.env);
  const store = await openStore(config.database);
  let files: BundleFile[];
  try {
    files = await bundleFiles(store, Number(id), new Date().toISOString(), ctx.version);
  } finally {
    await store.close();
  }
  await new Promise<void>((done, fail) => {
    const stream = createWriteStream(out);
    stream.on('error', (error) => fail(new ScriptwardenError('USAGE', `cannot write ${out}: ${error.message}`)));
    stream.on('close', () => done());
    writeBundle(Number(id), files, stream);
  });
  ctx.stdout.write(`wrote ${out}: ${files.length + 1} files (${files.map((f) => f.name).join(', ')}, manifest.json)\n`);
  return EXIT.ok;
}
