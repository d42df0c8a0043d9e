// Line-by-line JavaScript syntax highlighting that escapes every piece of text it emits.

import { escapeHtml, Html } from './html.js';

const TOKENS =
  /(\/\/.*$|\/\*.*?(?:\*\/|$))|("(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?|`(?:[^`\\]|\\.)*`?)|\b(\d+(?:\.\d+)?|0x[0-9a-f]+)\b|\b(var|let|const|function|return|if|else|for|while|do|new|this|typeof|instanceof|try|catch|finally|throw|class|import|export|from|await|async|true|false|null|undefined|switch|case|break|continue|delete|in|of|void|yield)\b/gi;

const CLASSES = ['', 'com', 'str', 'num', 'kw'];

/** Very long lines are shown plain: highlighting them costs more than it helps a reader. */
export function highlightLine(line: string): Html {
  if (line.length > 2000) return new Html(escapeHtml(line));
  let out = '';
  let last = 0;
  for (const match of line.matchAll(TOKENS)) {
    const index = match.index ?? 0;
    out += escapeHtml(line.slice(last, index));
    const group = match.slice(1).findIndex((g) => g !== undefined) + 1;
    out += `<span class="${CLASSES[group]}">${escapeHtml(match[0])}</span>`;
    last = index + match[0].length;
  }
  return new Html(out + escapeHtml(line.slice(last)));
}
