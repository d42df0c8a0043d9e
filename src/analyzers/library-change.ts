// Analyzer: says which library a script is, whether a change is a version upgrade, and what the data says of its version.

import { compareVersions } from '../intel/libraries.js';
import type { Analyzer, Finding, ScriptChange } from './types.js';

function label(name: string, version: string): string {
  return `${name} ${version}`;
}

/** True when a change moves a recognised library from one version to another. */
export function isLibraryVersionChange(change: Pick<ScriptChange, 'oldLibrary' | 'newLibrary'>): boolean {
  const { oldLibrary, newLibrary } = change;
  return Boolean(oldLibrary && newLibrary && oldLibrary.name === newLibrary.name && oldLibrary.version !== newLibrary.version);
}

export const libraryChange: Analyzer = {
  meta: { id: 'library-change', title: 'Library and version recognition', needs: ['library signatures', 'old and new bodies'] },
  run(change: ScriptChange): Finding[] {
    const { oldLibrary, newLibrary } = change;
    const findings: Finding[] = [];
    if (!newLibrary) return findings;
    const proof = newLibrary.via === 'hash'
      ? 'the new body is byte-identical to the published release'
      : `recognised by its ${newLibrary.via === 'content' ? 'banner and version field' : newLibrary.via}; not verified byte for byte`;
    if (isLibraryVersionChange(change)) {
      findings.push({
        analyzer: 'library-change', severity: 'info', kind: 'library',
        title: `${compareVersions(newLibrary.version, oldLibrary!.version) > 0 ? 'upgrades' : 'downgrades'} ${newLibrary.name} from ${oldLibrary!.version} to ${newLibrary.version}${change.oldCode === null ? ' (as a new script that replaces the old one)' : ''}; ${proof}`,
        detail: `${oldLibrary!.version} → ${newLibrary.version}`,
      });
    } else if (oldLibrary && change.oldCode !== null && oldLibrary.name === newLibrary.name) {
      findings.push({
        analyzer: 'library-change', severity: newLibrary.via === 'hash' ? 'info' : 'medium', kind: 'library',
        title: newLibrary.via === 'hash'
          ? `is ${label(newLibrary.name, newLibrary.version)}, identical to the published release`
          : `still calls itself ${label(newLibrary.name, newLibrary.version)}, but its bytes changed: a tampered or rebuilt copy`,
        detail: label(newLibrary.name, newLibrary.version),
      });
    } else {
      findings.push({ analyzer: 'library-change', severity: 'info', kind: 'library', title: `is ${label(newLibrary.name, newLibrary.version)} (${proof})`, detail: label(newLibrary.name, newLibrary.version) });
    }
    if (newLibrary.vulnerabilities.length) {
      findings.push({
        analyzer: 'library-change', severity: 'low', kind: 'vulnerability',
        title: `${label(newLibrary.name, newLibrary.version)} has ${newLibrary.vulnerabilities.length} known vulnerabilit${newLibrary.vulnerabilities.length === 1 ? 'y' : 'ies'}`,
        detail: newLibrary.vulnerabilities.slice(0, 5).join(', '),
      });
    }
    return findings;
  },
};
