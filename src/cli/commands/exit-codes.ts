// The exit codes every command uses (documented in the README).

export const EXIT = { ok: 0, newAlerts: 1, usage: 2, targetsFailed: 3, internal: 70 } as const;
