// A fast line breaker for large minified code: one statement or block edge per line, indented by nesting.

const SEMI = 59; const LBRACE = 123; const RBRACE = 125; const LPAREN = 40; const RPAREN = 41;
const SLASH = 47; const STAR = 42; const BACKSLASH = 92; const NEWLINE = 10; const BACKTICK = 96;
const DQUOTE = 34; const SQUOTE = 39; const LBRACKET = 91; const RBRACKET = 93;

/** Characters after which a `/` starts a regular expression rather than a division. */
const BEFORE_REGEX = new Set('(,=:[!&|?{};+-*%<>~^'.split('').map((c) => c.charCodeAt(0)));

function skipQuoted(code: string, i: number, quote: number): number {
  for (let j = i + 1; j < code.length; j++) {
    const c = code.charCodeAt(j);
    if (c === BACKSLASH) j++;
    else if (c === quote || (c === NEWLINE && quote !== BACKTICK)) return j;
  }
  return code.length - 1;
}

function skipRegex(code: string, i: number): number {
  let inClass = false;
  for (let j = i + 1; j < code.length; j++) {
    const c = code.charCodeAt(j);
    if (c === BACKSLASH) j++;
    else if (c === NEWLINE) return i;
    else if (inClass) { if (c === RBRACKET) inClass = false; }
    else if (c === LBRACKET) inClass = true;
    else if (c === SLASH) return j;
  }
  return i;
}

/**
 * Breaks code after `;` (outside parentheses), `{` and `}`, keeping strings, templates, comments and regular
 * expressions whole. Linear in the input; used where a full beautifier would be too slow (large bundles).
 */
export function formatCode(code: string): string {
  const out: string[] = [];
  let depth = 0;
  let parens = 0;
  let start = 0;
  let lastSignificant = 0;
  const indent = (n: number) => '  '.repeat(Math.min(n, 40));
  const emit = (end: number, nextDepth: number) => {
    const line = code.slice(start, end).trim();
    if (line) out.push(indent(depth) + line);
    depth = nextDepth;
    start = end;
  };
  for (let i = 0; i < code.length; i++) {
    const c = code.charCodeAt(i);
    if (c === DQUOTE || c === SQUOTE || c === BACKTICK) { i = skipQuoted(code, i, c); lastSignificant = c; continue; }
    if (c === SLASH) {
      const next = code.charCodeAt(i + 1);
      if (next === SLASH) { const nl = code.indexOf('\n', i); i = nl === -1 ? code.length - 1 : nl - 1; continue; }
      if (next === STAR) { const close = code.indexOf('*/', i + 2); i = close === -1 ? code.length - 1 : close + 1; continue; }
      if (lastSignificant === 0 || BEFORE_REGEX.has(lastSignificant)) i = skipRegex(code, i);
      lastSignificant = SLASH;
      continue;
    }
    if (c <= 32) continue;
    lastSignificant = c;
    if (c === LPAREN) parens++;
    else if (c === RPAREN) parens = Math.max(0, parens - 1);
    else if (c === LBRACE) emit(i + 1, depth + 1);
    else if (c === RBRACE) { emit(i, Math.max(0, depth - 1)); emit(i + 1, depth); }
    else if (c === SEMI && parens === 0) emit(i + 1, depth);
  }
  emit(code.length, depth);
  return `${out.join('\n')}\n`;
}
