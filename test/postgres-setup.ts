// Global setup of the PostgreSQL projects: one throwaway cluster for the run, its URL in SCRIPTWARDEN_TEST_POSTGRES.

import { startPostgres } from './fixtures/postgres-cluster.js';

export default async function setup(): Promise<() => void> {
  const cluster = await startPostgres();
  // The test files' processes, and the command lines they start, inherit it.
  process.env.SCRIPTWARDEN_TEST_POSTGRES = cluster.url;
  return () => cluster.stop();
}
