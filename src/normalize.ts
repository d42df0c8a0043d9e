// Normalised views of script text: beautified code, so that minified changes read line by line.

import beautifier from 'js-beautify';

/** Above this size beautifying costs more than it helps; such bodies are only split on statements. */
const MAX_BEAUTIFY_BYTES = 8 * 1024 * 1024;

export function beautify(code: string): string {
  if (code.length > MAX_BEAUTIFY_BYTES) return code.replace(/([;{}])(?=\S)/g, '$1\n');
  try {
    return beautifier.js(code, { indent_size: 2, max_preserve_newlines: 2, wrap_line_length: 0, end_with_newline: true });
  } catch {
    return code;
  }
}

const VOLATILE: [RegExp, string][] = [
  [/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?\b/g, '<time>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>'],
  [/\b\d{10,}\b/g, '<number>'],
  [/\b[0-9a-f]{16,}\b/gi, '<hex>'],
  // Quoted tokens of 20+ URL-safe or base64 characters with both letters and digits: nonces, CSRF and session tokens.
  [/(["'])(?=[A-Za-z0-9+/_=-]*\d)(?=[A-Za-z0-9+/_=-]*[A-Za-z])[A-Za-z0-9+/_=-]{20,200}\1/g, '$1<token>$1'],
];

/**
 * Masks values that differ on every response (timestamps, UUIDs, long numbers and hex strings, quoted tokens)
 * and folds white space, so two loads of the same code compare equal. Code, hosts and structure stay.
 */
export function maskVolatile(code: string): string {
  let out = code;
  for (const [pattern, replacement] of VOLATILE) out = out.replace(pattern, replacement);
  return out.replace(/\s+/g, ' ').trim();
}
