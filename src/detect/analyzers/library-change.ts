// Analyzer: which library and version each side is, whether the change is an upgrade, and whether the bytes are the published release.

import { compareVersions, type LibraryMatch } from '../intel/libraries.js';
import { npmNames, type ReleaseVerification } from '../intel/release-claims.js';
import type { Analyzer, Finding, ScriptChange } from './types.js';

function label(name: string, version: string): string {
  return `${name} ${version}`;
}

/** One library under two names (retire.js says `moment.js`, npm says `moment`). */
export function sameLibrary(a: Pick<LibraryMatch, 'name'>, b: Pick<LibraryMatch, 'name'>): boolean {
  return a.name === b.name || npmNames(a.name)[0] === npmNames(b.name)[0];
}

/** True when a change moves a recognised library from one version to another. */
export function isLibraryVersionChange(change: Pick<ScriptChange, 'oldLibrary' | 'newLibrary'>): boolean {
  const { oldLibrary, newLibrary } = change;
  return Boolean(oldLibrary && newLibrary && sameLibrary(oldLibrary, newLibrary) && oldLibrary.version !== newLibrary.version);
}

/** True when the new bytes are a file of the published release they claim (or of any release fetched before). */
export function isVerifiedRelease(change: Pick<ScriptChange, 'release'>): boolean {
  return change.release?.status === 'identical';
}

function proofOf(library: LibraryMatch, release: ReleaseVerification | null | undefined): string {
  if (release?.status === 'identical') return `byte-identical to the published release ${release.name}@${release.version} (${release.path})`;
  if (library.via === 'hash') return 'byte-identical to a published release file';
  const how = `recognised by its ${library.via === 'content' ? 'banner and version field' : library.via === 'published' ? 'published files' : library.via}`;
  return release?.status === 'unverified' ? `${how}; not verified: ${release.reason}` : `${how}; not verified byte for byte`;
}

export const libraryChange: Analyzer = {
  meta: { id: 'library-change', title: 'Library, version and published-release recognition', needs: ['newCode'] },
  run(change: ScriptChange): Finding[] {
    const { oldLibrary, newLibrary, release } = change;
    const findings: Finding[] = [];
    if (release?.status === 'differs') {
      // A script that names a release its bytes are not: a tampered or rebuilt copy.
      findings.push({
        analyzer: 'library-change', severity: release.via === 'path' || release.via === 'file' ? 'medium' : 'low', kind: 'release-mismatch',
        title: `claims to be ${release.name}@${release.version} (by its ${release.via === 'path' || release.via === 'file' || release.via === 'query' ? 'URL' : release.via}), but its bytes match no file of that published release`,
        detail: `${release.name}@${release.version}`,
      });
    }
    if (!newLibrary) return findings;
    const proof = proofOf(newLibrary, release);
    if (isLibraryVersionChange(change)) {
      findings.push({
        analyzer: 'library-change', severity: 'info', kind: 'library',
        title: `${compareVersions(newLibrary.version, oldLibrary!.version) > 0 ? 'upgrades' : 'downgrades'} ${newLibrary.name} ${oldLibrary!.version} → ${newLibrary.version}, ${proof}`,
        detail: `${oldLibrary!.version} → ${newLibrary.version}`,
      });
    } else if (oldLibrary && change.oldCode !== null && sameLibrary(oldLibrary, newLibrary) && !isVerifiedRelease(change)) {
      findings.push({
        analyzer: 'library-change', severity: newLibrary.via === 'hash' ? 'info' : 'medium', kind: newLibrary.via === 'hash' ? 'library' : 'release-mismatch',
        title: newLibrary.via === 'hash'
          ? `is ${label(newLibrary.name, newLibrary.version)}, identical to the published release`
          : `still calls itself ${label(newLibrary.name, newLibrary.version)}, but its bytes changed: a tampered or rebuilt copy`,
        detail: label(newLibrary.name, newLibrary.version),
      });
    } else {
      findings.push({ analyzer: 'library-change', severity: 'info', kind: 'library', title: `is ${label(newLibrary.name, newLibrary.version)}, ${proof}`, detail: label(newLibrary.name, newLibrary.version) });
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
