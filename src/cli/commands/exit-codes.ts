// The exit codes every command uses (documented in the README): the table lives with the error catalogue.

export { EXIT } from '../../errors.js';
