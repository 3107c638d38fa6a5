/**
 * README.txt, the first thing a person reads after unpacking: one database per workspace,
 * where each key is, how to load each dump (straight from the archive or after extracting it),
 * and what was left out. Plain ASCII lines except the workspace names themselves.
 */
import { commentSafe } from '../dump/filename.js';
import { suggestedDatabase } from './entry-names.js';
import { importRecipe, shellQuote } from '../import-recipe.js';
import type { Manifest } from './manifest.js';

function uniqueDatabases(files: string[]): Map<string, string> {
  const out = new Map<string, string>();
  const taken = new Set<string>();
  for (const file of files) {
    const base = suggestedDatabase(file);
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base.slice(0, 58)}_${n}`;
    taken.add(name);
    out.set(file, name);
  }
  return out;
}

export function renderReadme(manifest: Manifest, archiveName: string): string {
  const zip = shellQuote(archiveName);
  const databases = uniqueDatabases(manifest.entries.map((e) => e.file));
  const keyWhere = (file: string): string =>
    manifest.entries.find((e) => e.file === file)?.key === 'instance'
      ? `line 1 of ${file} (the instance's own key, kept with --keep-key)`
      : `line 1 of ${file} (a key made for this dump alone)`;
  const lines = [
    `Fief workspaces exported by ${manifest.tool} on ${manifest.createdAt}`,
    '',
    'Fief 0.28 and later have no workspaces: each workspace becomes a Fief instance of its own,',
    'with its own empty PostgreSQL database and its own ENCRYPTION_KEY. This archive holds one',
    'dump per workspace; each dump has its key on its first line, after "-- ENCRYPTION_KEY=".',
    'Keep the archive and the extracted files private: those keys decrypt the secrets in them.',
    '',
    'Workspaces in this archive:',
    ...manifest.entries.map((e) => `  ${e.file}\n      workspace "${commentSafe(e.workspaceName)}" (${e.workspaceId})\n      ENCRYPTION_KEY: ${keyWhere(e.file)}`),
  ];
  if (manifest.skipped.length > 0) {
    lines.push('', `NOT EXPORTED (${manifest.skipped.length}; see manifest.json):`);
    for (const s of manifest.skipped) lines.push(`  workspace "${commentSafe(s.workspaceName)}" (${s.workspaceId}): ${commentSafe(s.reason)}`);
  }
  lines.push('', 'For each workspace, with the PostgreSQL client tools (psql 12 or later):');
  for (const e of manifest.entries) {
    const db = databases.get(e.file) ?? 'fief_new';
    const file = shellQuote(e.file);
    // The recipe printed everywhere else (README, pages, CLI), for this entry and its database.
    const [createdb = '', psqlFile = ''] = importRecipe(e.file, db);
    lines.push(
      '',
      `  ${e.file}:`,
      `    ${createdb}`,
      `    unzip -p ${zip} ${file} | psql -X -v ON_ERROR_STOP=1 -d ${db}`,
      '  or, after extracting the archive:',
      `    ${psqlFile}`,
      '  or with fief-exporter, which also checks the file against manifest.json:',
      `    fief-exporter import ${zip} --entry ${file} --database-url postgresql://localhost/${db}`,
    );
  }
  lines.push(
    '',
    'Then, for each of those databases:',
    '  1. Set ENCRYPTION_KEY in that Fief instance\'s environment to the value on line 1 of its dump.',
    '  2. Start Fief >= 0.28 on that database.',
    '  3. Run `fief grant-admin-role <email>` to make yourself an administrator.',
    '  4. Recreate the admin API keys: they are not carried over.',
    '',
    'manifest.json lists each dump\'s size, SHA-256 and rows per table.',
    '',
  );
  return lines.join('\n');
}
