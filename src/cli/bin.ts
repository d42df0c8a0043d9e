#!/usr/bin/env node
// The scriptwarden command: runs the program and exits with its code (only here does anything call process.exit).
import { main } from './program.js';
main(process.argv.slice(2)).then((code) => process.stdout.write('', () => process.exit(code)), (error: unknown) => { process.stderr.write(`scriptwarden: internal error: ${error instanceof Error ? error.message : String(error)}\n`); process.exit(70); });
