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
