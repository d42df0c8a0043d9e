// A small, forgiving JavaScript lexer: enough to compare code token by token and to find literals by position.

export type TokenType = 'space' | 'comment' | 'string' | 'template' | 'number' | 'regex' | 'name' | 'punct';

export interface Token {
  type: TokenType;
  text: string;
}

const KEYWORDS_BEFORE_REGEX = new Set(['return', 'typeof', 'case', 'do', 'else', 'in', 'instanceof', 'new', 'delete', 'void', 'throw', 'yield', 'await']);
const SPACE = /\s+/y;
const NAME = /[A-Za-z_$\u0080-\uffff][\w$\u0080-\uffff]*/y;
const NUMBER = /(?:0[xob][0-9a-f_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:e[+-]?\d+)?)n?/iy;
const PUNCT = /(?:>>>=?|\.\.\.|===|!==|\*\*=?|<<=|>>=|&&=|\|\|=|\?\?=|=>|[<>=!+\-*%&|^?]=?|\+\+|--|&&|\|\||\?\?|\?\.|[{}()[\];,.:~@#\\])/y;

function readQuoted(code: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < code.length) {
    const c = code[i]!;
    if (c === '\\') i += 2;
    else if (c === quote) return i + 1;
    else if (c === '\n' && quote !== '`') return i;
    else i++;
  }
  return code.length;
}

/** Template literals may nest `${ … }` with their own braces and strings. */
function readTemplate(code: string, start: number): number {
  let i = start + 1;
  while (i < code.length) {
    const c = code[i]!;
    if (c === '\\') i += 2;
    else if (c === '`') return i + 1;
    else if (c === '$' && code[i + 1] === '{') {
      let depth = 1;
      i += 2;
      while (i < code.length && depth > 0) {
        const d = code[i]!;
        if (d === '{') depth++;
        else if (d === '}') depth--;
        else if (d === '"' || d === "'") { i = readQuoted(code, i, d); continue; }
        else if (d === '`') { i = readTemplate(code, i); continue; }
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
    const c = code[i]!;
    if (c === '\\') i += 2;
    else if (c === '\n') return -1;
    else if (inClass) { if (c === ']') inClass = false; i++; }
    else if (c === '[') { inClass = true; i++; }
    else if (c === '/') { i++; while (i < code.length && /[a-z]/i.test(code[i]!)) i++; return i; }
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
  let previous: Token | null = null;
  let i = 0;
  while (i < code.length) {
    const c = code[i]!;
    let end = -1;
    let type: TokenType = 'punct';
    if ((end = sticky(SPACE, code, i)) !== -1) type = 'space';
    else if (c === '/' && code[i + 1] === '/') { const nl = code.indexOf('\n', i); end = nl === -1 ? code.length : nl; type = 'comment'; }
    else if (c === '/' && code[i + 1] === '*') { const close = code.indexOf('*/', i + 2); end = close === -1 ? code.length : close + 2; type = 'comment'; }
    else if (c === '"' || c === "'") { end = readQuoted(code, i, c); type = 'string'; }
    else if (c === '`') { end = readTemplate(code, i); type = 'template'; }
    else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(code[i + 1] ?? ''))) { end = sticky(NUMBER, code, i); type = 'number'; }
    else if ((end = sticky(NAME, code, i)) !== -1) type = 'name';
    else if (c === '/') {
      const regexAllowed = previous === null
        || (previous.type === 'punct' && !/^[)\]}]$/.test(previous.text))
        || (previous.type === 'name' && KEYWORDS_BEFORE_REGEX.has(previous.text));
      end = regexAllowed ? readRegex(code, i) : -1;
      if (end !== -1) type = 'regex';
      else { end = sticky(PUNCT, code, i); type = 'punct'; }
    } else { end = sticky(PUNCT, code, i); type = 'punct'; }
    if (end <= i) { end = i + 1; type = 'punct'; }
    const token = { type, text: code.slice(i, end) };
    tokens.push(token);
    if (type !== 'space' && type !== 'comment') previous = token;
    i = end;
  }
  return tokens;
}

export function isSignificant(token: Token): boolean {
  return token.type !== 'space' && token.type !== 'comment';
}

/** Literal tokens: the only ones whose change may count as a volatile value. */
export function isLiteral(token: Token): boolean {
  return token.type === 'string' || token.type === 'number' || token.type === 'template';
}
