// Journeys: the steps that reach a page (add to cart, open the basket, go to checkout), validated with the config.

import { z } from 'zod';
import type { JourneyStep } from '../capture/capturer.js';

export type { JourneyStep } from '../capture/capturer.js';

const selector = z.string({ error: 'must be a CSS selector' }).min(1, 'must be a CSS selector').max(500);

/** One step, written as a one-key mapping (`- click: "#add-to-cart"`), or the bare word `scan`. */
export const journeyStepSchema = z.union([
  z.literal('scan').transform(() => ({ scan: true as const })),
  z.strictObject({ scan: z.literal(true) }),
  z.strictObject({ goto: z.string().min(1, 'must be a URL or a path') }),
  z.strictObject({ click: selector }),
  z.strictObject({ type: z.strictObject({ selector, text: z.string().max(1000) }) }),
  z.strictObject({ select: z.strictObject({ selector, value: z.string().max(200) }) }),
  z.strictObject({ waitFor: selector }),
], { error: 'must be one of: goto, click, type, select, waitFor, scan' });

/** A journey ends with the page to scan: `scan` is last (and implied when left out); `goto` targets resolve against the target's URL. */
export const journeySchema = z.array(journeyStepSchema).min(1, 'must list at least one step').max(50, 'must have at most 50 steps')
  .superRefine((steps, ctx) => {
    steps.forEach((step, index) => {
      if ('scan' in step && index !== steps.length - 1) ctx.addIssue({ code: 'custom', path: [index], message: 'scan must be the last step' });
    });
  });

export function describeStep(step: JourneyStep): string {
  if ('goto' in step) return `goto ${step.goto}`;
  if ('click' in step) return `click ${JSON.stringify(step.click)}`;
  if ('type' in step) return `type into ${JSON.stringify(step.type.selector)}`;
  if ('select' in step) return `select ${JSON.stringify(step.select.value)} in ${JSON.stringify(step.select.selector)}`;
  if ('waitFor' in step) return `waitFor ${JSON.stringify(step.waitFor)}`;
  return 'scan';
}

/** Resolves a goto target against the target's URL; only http(s) results are allowed. */
export function resolveGoto(target: string, base: string): string | null {
  try {
    const url = new URL(target, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}
