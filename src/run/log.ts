// Structured logging for long-running commands: one line per event, readable text or JSON (--log-format json).

export type LogLevel = 'info' | 'warn' | 'error';
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  info(event: string, message: string, fields?: LogFields): void;
  warn(event: string, message: string, fields?: LogFields): void;
  error(event: string, message: string, fields?: LogFields): void;
}

export type LogFormat = 'text' | 'json';

/** A logger writing to `write`; control characters from scanned content cannot forge extra log lines. */
export function createLogger(format: LogFormat, write: (line: string) => void, now: () => Date = () => new Date()): Logger {
  const clean = (text: string) => text.replace(/[\u0000-\u001f\u007f]/g, ' ');
  const emit = (level: LogLevel, event: string, message: string, fields: LogFields = {}) => {
    const time = now().toISOString();
    if (format === 'json') {
      write(`${JSON.stringify({ time, level, event, message, ...fields })}\n`);
      return;
    }
    const extra = Object.entries(fields)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => `${k}=${clean(String(v)).includes(' ') ? JSON.stringify(clean(String(v))) : clean(String(v))}`)
      .join(' ');
    write(`${time} ${level.toUpperCase().padEnd(5)} ${clean(message)}${extra ? ` ${extra}` : ''}\n`);
  };
  return {
    info: (event, message, fields) => emit('info', event, message, fields),
    warn: (event, message, fields) => emit('warn', event, message, fields),
    error: (event, message, fields) => emit('error', event, message, fields),
  };
}
