// `scriptwarden evidence ALERT_ID --out incident.zip`: one alert's evidence bundle with a SHA-256 manifest.

import { createHash } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ZipFile } from 'yazl';
import { loadConfig } from '../config.js';
import { ScriptwardenError } from '../errors.js';
import { openStore, type Store } from '../store/open-store.js';
import { EXIT, type CommandContext } from './context.js';

interface BundleFile {
  name: string;
  bytes: Buffer;
  description: string;
}

const json = (value: unknown) => Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Every file of one alert's bundle, read from the store (bodies byte for byte as stored). */
export function bundleFiles(store: Store, alertId: number, generatedAt: string, version: string): BundleFile[] {
  const alert = store.getAlert(alertId);
  const trail = store.evidence.trail(alertId);
  if (!alert || !trail) throw new ScriptwardenError('NOT_FOUND', `no alert #${alertId}`);
  const files: BundleFile[] = [];
  const body = (sha: string | null, name: string, description: string) => {
    if (!sha) return;
    const bytes = store.blobs.bytesBySha(sha);
    if (bytes) files.push({ name, bytes, description });
  };
  body(alert.oldValue, 'script-old.js', 'the approved version, as stored');
  body(alert.newValue, 'script-new.js', 'the version that raised the alert, as stored');
  if (trail.scriptId !== null) {
    const response = (sha: string | null) => (sha ? store.versionMeta(trail.scriptId!, sha) : null);
    const meta = { old: response(alert.oldValue), new: response(alert.newValue) };
    if (meta.old || meta.new) files.push({ name: 'response.json', bytes: json(meta), description: 'status, headers, remote IP and port, initiator of each version' });
  }
  for (const file of store.evidence.list(trail.firstScanId)) {
    const bytes = store.blobs.bytesBySha(file.sha256);
    if (bytes) files.push({ name: file.name, bytes, description: `from scan #${trail.firstScanId}` });
  }
  const { details, ...fields } = alert;
  files.push({
    name: 'alert.json',
    bytes: json({
      alert: { ...fields, details },
      timeline: {
        firstSeen: { at: alert.firstSeen, scanId: trail.firstScanId },
        lastSeen: { at: alert.lastSeen, scanId: trail.lastScanId },
        seen: trail.sightings,
        notifications: store.notifications.forAlert(alertId).map(({ channelKey: _key, ...row }) => row),
        decisions: alert.decidedAt ? [{ status: alert.status, by: alert.decidedBy, at: alert.decidedAt, note: alert.note }] : [],
      },
      generatedAt,
      generator: `scriptwarden ${version}`,
    }),
    description: 'the alert and its timeline',
  });
  return files;
}

export async function evidenceCommand(id: string, options: { config?: string; out: string }, ctx: CommandContext): Promise<number> {
  if (!/^\d+$/.test(id)) throw new ScriptwardenError('USAGE', `alert id must be a number, not "${id}"`);
  const out = resolve(ctx.cwd, options.out);
  if (!existsSync(dirname(out))) throw new ScriptwardenError('USAGE', `--out: folder ${dirname(out)} does not exist`);
  const config = loadConfig(options.config, ctx.cwd, ctx.env);
  const store = openStore(config.database);
  let files: BundleFile[];
  try {
    files = bundleFiles(store, Number(id), new Date().toISOString(), ctx.version);
  } finally {
    store.close();
  }
  const manifest = {
    alertId: Number(id),
    algorithm: 'sha256',
    files: files.map((f) => ({ name: f.name, size: f.bytes.length, sha256: sha256(f.bytes), description: f.description })),
  };
  const zip = new ZipFile();
  const mtime = new Date();
  for (const file of files) zip.addBuffer(file.bytes, file.name, { mtime, compress: !file.name.endsWith('.png') });
  zip.addBuffer(json(manifest), 'manifest.json', { mtime });
  zip.end();
  await new Promise<void>((done, fail) => {
    const stream = createWriteStream(out);
    stream.on('error', (error) => fail(new ScriptwardenError('USAGE', `cannot write ${out}: ${error.message}`)));
    stream.on('close', () => done());
    zip.outputStream.pipe(stream);
  });
  ctx.stdout.write(`wrote ${out}: ${files.length + 1} files (${files.map((f) => f.name).join(', ')}, manifest.json)\n`);
  return EXIT.ok;
}
