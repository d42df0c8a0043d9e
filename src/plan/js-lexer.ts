// A small, forgiving JavaScript lexer: enough to compare code token by token and to find literals by position.

export type TokenType = 'space' | 'comment' | 'string' | 'template' | 'number' | 'regex' | 'name' | 'punct';

export interface Token {
  type: TokenType;
  text: string;
}

const KEYWORDS_BEFORE_REGEX = new Set(['return', 'typeof', 'case', 'do', 'else', 'in', 'instanceof', 'new', 'delete', 'void', 'throw', 'yield', 'await']);
const NUMBER = /(?:0[xob][0-9a-f_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:e[+-]?\d+)?)n?/iy;
const PUNCT = /(?:>>>=?|\.\.\.|===|!==|\*\*=?|<<=|>>=|&&=|\|\|=|\?\?=|=>|[<>=!+\-*%&|^?]=?|\+\+|--|&&|\|\||\?\?|\?\.|[{}()[\];,.:~@#\\])/y;

const isDigit = (c: number) => c >= 48 && c <= 57;
const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0xfeff || c === 0x2028 || c === 0x2029;
const isNameStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36 || c >= 0x80;
const isNamePart = (c: number) => isNameStart(c) || isDigit(c);

function readQuoted(code: string, start: number, quote: number): number {
  let i = start + 1;
  while (i < code.length) {
    const c = code.charCodeAt(i);
    if (c === 92) i += 2;
    else if (c === quote) return i + 1;
    else if (c === 10 && quote !== 96) return i;
    else i++;
  }
  return code.length;
}

/** Template literals may nest `${ … }` with their own braces and strings. */
function readTemplate(code: string, start: number): number {
  let i = start + 1;
  while (i < code.length) {
    const c = code.charCodeAt(i);
    if (c === 92) i += 2;
    else if (c === 96) return i + 1;
    else if (c === 36 && code.charCodeAt(i + 1) === 123) {
      let depth = 1;
      i += 2;
      while (i < code.length && depth > 0) {
        const d = code.charCodeAt(i);
        if (d === 123) depth++;
        else if (d === 125) depth--;
        else if (d === 34 || d === 39) { i = readQuoted(code, i, d); continue; }
        else if (d === 96) { i = readTemplate(code, i); continue; }
        i++;
      }
    } else i++;
  }
  return code.length;
}

function readRegex(code: string, start: number): number {
  let i = start + 1;
  let inClass = false;
  while (i < code.length) {
    const c = code.charCodeAt(i);
    if (c === 92) i += 2;
    else if (c === 10) return -1;
    else if (inClass) { if (c === 93) inClass = false; i++; }
    else if (c === 91) { inClass = true; i++; }
    else if (c === 47) { i++; while (i < code.length && isNameStart(code.charCodeAt(i))) i++; return i; }
    else i++;
  }
  return -1;
}

function sticky(pattern: RegExp, code: string, at: number): number {
  pattern.lastIndex = at;
  return pattern.test(code) ? pattern.lastIndex : -1;
}

/** Splits code into tokens; never throws, and the tokens' texts always concatenate back to the input. */
export function tokenize(code: string): Token[] {
  const tokens: Token[] = [];
  scanTokens(code, (type, start, end) => { tokens.push({ type, text: code.slice(start, end) }); });
  return tokens;
}

/** Calls `visit` for each token in order, without building token objects (the fast path for large scripts). */
export function scanTokens(code: string, visit: (type: TokenType, start: number, end: number) => void): void {
  let previousType: TokenType | null = null;
  let previousStart = 0;
  let previousEnd = 0;
  let i = 0;
  while (i < code.length) {
    const c = code.charCodeAt(i);
    const next = code.charCodeAt(i + 1);
    let end = -1;
    let type: TokenType = 'punct';
    if (isSpace(c)) { end = i + 1; while (end < code.length && isSpace(code.charCodeAt(end))) end++; type = 'space'; }
    else if (c === 47 && next === 47) { const nl = code.indexOf('\n', i); end = nl === -1 ? code.length : nl; type = 'comment'; }
    else if (c === 47 && next === 42) { const close = code.indexOf('*/', i + 2); end = close === -1 ? code.length : close + 2; type = 'comment'; }
    else if (c === 34 || c === 39) { end = readQuoted(code, i, c); type = 'string'; }
    else if (c === 96) { end = readTemplate(code, i); type = 'template'; }
    else if (isDigit(c) || (c === 46 && isDigit(next))) { end = sticky(NUMBER, code, i); type = 'number'; }
    else if (isNameStart(c)) { end = i + 1; while (end < code.length && isNamePart(code.charCodeAt(end))) end++; type = 'name'; }
    else if (c === 47) {
      const closing = previousEnd - previousStart === 1 && /[)\]}]/.test(code[previousStart]!);
      const regexAllowed = previousType === null
        || (previousType === 'punct' && !closing)
        || (previousType === 'name' && KEYWORDS_BEFORE_REGEX.has(code.slice(previousStart, previousEnd)));
      end = regexAllowed ? readRegex(code, i) : -1;
      if (end !== -1) type = 'regex';
      else { end = sticky(PUNCT, code, i); type = 'punct'; }
    } else { end = sticky(PUNCT, code, i); type = 'punct'; }
    if (end <= i) { end = i + 1; type = 'punct'; }
    visit(type, i, end);
    if (type !== 'space' && type !== 'comment') {
      previousType = type;
      previousStart = i;
      previousEnd = end;
    }
    i = end;
  }
}

export function isSignificant(token: Token): boolean {
  return token.type !== 'space' && token.type !== 'comment';
}

/** Literal tokens: the only ones whose change may count as a volatile value. */
export function isLiteral(token: Token): boolean {
  return token.type === 'string' || token.type === 'number' || token.type === 'template';
}
