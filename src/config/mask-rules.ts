// The names of the masking rules, shared by the normaliser and the command line's help.

export const MASK_RULES = ['timestamps', 'uuids', 'long-numbers', 'hex-ids', 'quoted-tokens', 'learned-tokens', 'whitespace', 'cache-buster'] as const;
export type MaskRule = (typeof MASK_RULES)[number];
