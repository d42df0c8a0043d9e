// Reading secrets from a terminal without echo, or whole from a pipe.

import type { Readable, Writable } from 'node:stream';

const MAX_INPUT = 64 * 1024;

/** Everything piped on the stream (up to 64 KiB). */
export async function readAll(stream: Readable): Promise<string> {
  let text = '';
  for await (const chunk of stream) {
    text += String(chunk);
    if (text.length > MAX_INPUT) break;
  }
  return text;
}

/** One line typed on a TTY with echo off; Ctrl-C or Ctrl-D ends it empty. */
export function readHidden(input: Readable & { isTTY?: boolean; setRawMode?(mode: boolean): unknown }, output: Writable, prompt: string): Promise<string> {
  output.write(prompt);
  return new Promise((resolve) => {
    let line = '';
    input.setRawMode?.(true);
    input.resume();
    input.setEncoding('utf8');
    const done = (value: string) => {
      input.off('data', onData);
      input.setRawMode?.(false);
      input.pause();
      output.write('\n');
      resolve(value);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') return done(line);
        if (char === '\u0003' || char === '\u0004') return done('');
        if (char === '\u007f' || char === '\b') line = line.slice(0, -1);
        else line += char;
      }
    };
    input.on('data', onData);
  });
}
