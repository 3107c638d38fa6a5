/**
 * What an import is doing, for people watching it: the long silent stretches after the last
 * row (index builds, constraint checks, the commit) get a name instead of a frozen 100 %.
 */
export type ImportPhase = 'schema' | 'loading' | 'indexes' | 'constraints' | 'verifying' | 'committing';

/** A table being loaded. One today; a parallel import reports one per job. */
export interface ImportJob {
  table: string;
  /** Rows of this table loaded so far (unknown for a parallel load's job sessions). */
  rows?: number;
}

const CONSTRAINT = /^\s*alter\s+table\b[\s\S]*?\badd\s+(?:constraint\s+(?:"(?:[^"]|"")*"|\S+)\s+)?(primary|unique|foreign|check|exclude)\b/i;

/**
 * The phase a statement starts, from its first words (see word-tracker.ts) and its text, or
 * null for one that does not change it. `CREATE [UNIQUE] INDEX` and a primary key or unique
 * constraint build an index; a foreign key or a check reads every row to check it.
 */
export function statementPhase(words: readonly string[], text: string): 'indexes' | 'constraints' | null {
  const [w0, w1, w2] = words;
  if (w0 === 'create' && (w1 === 'index' || (w1 === 'unique' && w2 === 'index'))) return 'indexes';
  if (w0 !== 'alter' || w1 !== 'table') return null;
  const kind = CONSTRAINT.exec(text.slice(0, 2000))?.[1]?.toLowerCase();
  if (kind === undefined) return null;
  return kind === 'primary' || kind === 'unique' || kind === 'exclude' ? 'indexes' : 'constraints';
}

/** "building indexes 3", "loading fief_users": what the progress line says for a phase. */
export function phaseLabel(phase: ImportPhase, step: number, jobs: readonly ImportJob[]): string {
  switch (phase) {
    case 'schema':
      return 'creating tables';
    case 'loading':
      return jobs.length === 1 && jobs[0] ? `loading ${jobs[0].table}` : jobs.length > 1 ? `loading ${jobs.length} tables` : 'loading tables';
    case 'indexes':
      return `building indexes ${step}`;
    case 'constraints':
      return `checking constraints ${step}`;
    case 'verifying':
      return 'verifying row counts and checksums';
    case 'committing':
      return 'committing';
  }
}
