// Reads form fields from a DOM snapshot of every frame, without running code in the page, to spot payment and login forms.

import type { CDPSession, Protocol } from 'puppeteer';
import type { FormSignals } from '../src/capture/types.js';
import { namesCardInput } from '../src/detect/analyzers/field-words.js';


function attributesOf(strings: string[], pairs: number[] | undefined): Map<string, string> {
  const map = new Map<string, string>();
  if (!pairs) return map;
  for (let i = 0; i + 1 < pairs.length; i += 2) map.set(strings[pairs[i]!]!.toLowerCase(), strings[pairs[i + 1]!] ?? '');
  return map;
}

export function formSignalsFromSnapshot(snapshot: Protocol.DOMSnapshot.CaptureSnapshotResponse): FormSignals {
  const evidence = new Set<string>();
  let payment = false;
  let login = false;
  const { strings } = snapshot;
  for (const document of snapshot.documents) {
    const names = document.nodes.nodeName ?? [];
    const attributes = document.nodes.attributes ?? [];
    names.forEach((nameIndex, node) => {
      const tag = strings[nameIndex]?.toLowerCase();
      if (tag !== 'input' && tag !== 'select') return;
      const attrs = attributesOf(strings, attributes[node]);
      const autocomplete = (attrs.get('autocomplete') ?? '').toLowerCase();
      const type = (attrs.get('type') ?? '').toLowerCase();
      const label = `${attrs.get('name') ?? ''} ${attrs.get('id') ?? ''}`;
      if (/(^|\s)cc-/.test(autocomplete)) {
        payment = true;
        evidence.add(`${tag}[autocomplete=${autocomplete}]`);
      } else if (namesCardInput(label)) {
        // Whole words: `card_number`, `cardNumber`, `cvv`, `exp-month`; not `expires`, `discard` or a `cc` recipient field.
        payment = true;
        evidence.add(`${tag}[name/id=${label.trim().slice(0, 60)}]`);
      }
      if (type === 'password') {
        login = true;
        evidence.add('input[type=password]');
      }
    });
  }
  return { payment, login, evidence: [...evidence].sort().slice(0, 20) };
}

export async function readFormSignals(session: CDPSession): Promise<FormSignals> {
  const snapshot = await session.send('DOMSnapshot.captureSnapshot', { computedStyles: [] });
  return formSignalsFromSnapshot(snapshot);
}
