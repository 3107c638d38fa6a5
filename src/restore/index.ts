/** The importer: replays a plain SQL dump with psql semantics (see import-dump.ts). */
export { importDump, type ImportOptions, type ImportProgress, type ImportSummary } from './import-dump.js';
export { ScriptReader, type ScriptEvent } from './script-reader.js';
export { formatProgress, RateMeter } from './progress.js';
