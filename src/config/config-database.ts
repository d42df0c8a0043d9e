// The `database:` setting: a SQLite file path, a postgres:// URL, or env:NAME holding either.

/** True for a PostgreSQL URL; anything else names a SQLite file. */
export const isPostgresUrl = (spec: string): boolean => /^postgres(ql)?:\/\//i.test(spec);

/** `database:` read through env:NAME, and checked when it is a postgres:// URL; spec undefined when not a string. */
export function databaseSpec(value: unknown, env: Record<string, string | undefined>): { spec?: string; errors: string[] } {
  if (typeof value !== 'string' || value.length === 0) return { errors: [] };
  let spec = value;
  if (value.startsWith('env:')) {
    const found = env[value.slice(4)];
    if (!found) return { errors: [`database: environment variable ${value.slice(4)} is not set`] };
    spec = found;
  }
  if (isPostgresUrl(spec)) {
    let url: URL | null = null;
    try { url = new URL(spec); } catch { /* reported below */ }
    if (!url || !url.hostname && !url.searchParams.get('host')) return { errors: ['database: not a valid postgres:// URL (postgres://user:password@host:5432/database)'] };
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec)) {
    return { errors: ['database: must be a SQLite file path or a postgres:// URL'] };
  }
  return { spec, errors: [] };
}
