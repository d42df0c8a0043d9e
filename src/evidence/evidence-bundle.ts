// An alert's evidence bundle: the files kept for it, its timeline, and a zip with a SHA-256 manifest.

import type { Writable } from 'node:stream';
import { ZipFile } from 'yazl';
import { ScriptwardenError } from '../errors.js';
import { jsonFile as json } from './evidence.js';
import { sha256Hex as sha256 } from '../plan/fingerprint.js';
import type { Store } from '../store/open-store.js';

export interface BundleFile {
  name: string;
  bytes: Buffer;
  description: string;
}


/** Every file of one alert's bundle, read from the store (bodies byte for byte as stored). */
export async function bundleFiles(store: Store, alertId: number, generatedAt: string, version: string): Promise<BundleFile[]> {
  const alert = await store.alerts.get(alertId);
  const trail = await store.evidence.trail(alertId);
  if (!alert || !trail) throw new ScriptwardenError('NOT_FOUND', `no alert #${alertId}`);
  const files: BundleFile[] = [];
  const body = async (sha: string | null, name: string, description: string) => {
    if (!sha) return;
    const bytes = await store.blobs.bytesBySha(sha);
    if (bytes) files.push({ name, bytes, description });
  };
  await body(alert.oldValue, 'script-old.js', 'the approved version, as stored');
  await body(alert.newValue, 'script-new.js', 'the version that raised the alert, as stored');
  if (trail.scriptId !== null) {
    const response = async (sha: string | null) => (sha ? store.inventory.versionMeta(trail.scriptId!, sha) : null);
    const meta = { old: await response(alert.oldValue), new: await response(alert.newValue) };
    if (meta.old || meta.new) files.push({ name: 'response.json', bytes: json(meta), description: 'status, headers, remote IP and port, initiator of each version' });
  }
  for (const file of await store.evidence.list(trail.firstScanId)) {
    const bytes = await store.blobs.bytesBySha(file.sha256);
    // Scanned HTML must not render when the zip is opened on a desktop: it keeps a .txt ending.
    if (bytes) files.push({ name: /\.html?$/i.test(file.name) ? `${file.name}.txt` : file.name, bytes, description: `from scan #${trail.firstScanId}` });
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
        notifications: (await store.notifications.forAlert(alertId)).map(({ channelKey: _key, ...row }) => row),
        decisions: await store.alerts.decisions(alertId),
      },
      generatedAt,
      generator: `scriptwarden ${version}`,
    }),
    description: 'the alert and its timeline',
  });
  return files;
}

/** Streams the bundle as a zip: the files, then manifest.json (name, size, SHA-256 and description of each). */
export function writeBundle(alertId: number, files: BundleFile[], out: Writable): void {
  const manifest = {
    alertId,
    algorithm: 'sha256',
    files: files.map((f) => ({ name: f.name, size: f.bytes.length, sha256: sha256(f.bytes), description: f.description })),
  };
  const zip = new ZipFile();
  const mtime = new Date();
  for (const file of files) zip.addBuffer(file.bytes, file.name, { mtime, compress: !file.name.endsWith('.png') });
  zip.addBuffer(json(manifest), 'manifest.json', { mtime });
  zip.end();
  zip.outputStream.pipe(out);
}
