// Checks cron expressions (five fields, or six with seconds) with croner, for the config schema.

import { Cron } from 'croner';

/** Why a cron expression is not valid, or null. Five fields (minute hour day month weekday), or six with seconds first. */
export function cronError(expression: string): string | null {
  const fields = expression.trim().split(/\s+/).length;
  if (fields < 5 || fields > 6) return `expected 5 fields, or 6 with seconds, not ${fields}`;
  try {
    new Cron(expression, { paused: true });
    return null;
  } catch (error) {
    return (error as Error).message.replace(/^CronPattern: /, '');
  }
}
