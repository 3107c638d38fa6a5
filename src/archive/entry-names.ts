/**
 * File names inside the archive: each workspace's usual dump name (fief_dump_<Name>.sql), made
 * unique. Names are compared case-insensitively, since "Acme" and "ACME" would overwrite each
 * other when extracted on macOS or Windows; a name taken already gets the first 8 characters of
 * its workspace id (then more, in the unlikely case those collide too).
 */
import { dumpFileName } from '../dump/filename.js';

export const README_ENTRY = 'README.txt';
export const MANIFEST_ENTRY = 'manifest.json';

export function uniqueEntryNames(workspaces: readonly { id: string; name: string }[]): Map<string, string> {
  const taken = new Set([README_ENTRY, MANIFEST_ENTRY].map((n) => n.toLowerCase()));
  const names = new Map<string, string>();
  // Unsuffixed names go to the workspaces whose sanitised name is unique, whatever the order.
  const counts = new Map<string, number>();
  for (const w of workspaces) {
    const key = dumpFileName(w.name).toLowerCase();
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const pick = (w: { id: string; name: string }, suffixLength: number): string => {
    const plain = dumpFileName(w.name);
    if (suffixLength === 0) return plain;
    const id = w.id.replace(/-/g, '').slice(0, suffixLength);
    return plain.replace(/\.sql$/, `_${id}.sql`);
  };
  for (const w of workspaces) {
    let length = counts.get(dumpFileName(w.name).toLowerCase()) === 1 ? 0 : 8;
    let name = pick(w, length);
    while (taken.has(name.toLowerCase())) name = pick(w, (length = length === 0 ? 8 : length + 4));
    taken.add(name.toLowerCase());
    names.set(w.id, name);
  }
  return names;
}

/** A database name to suggest for a dump entry: fief_<name>, lower case, within PostgreSQL's 63 bytes. */
export function suggestedDatabase(entryName: string): string {
  const base = entryName.replace(/^fief_dump_/, '').replace(/\.sql$/, '').toLowerCase().replace(/[^a-z0-9_]+/g, '_');
  return `fief_${base}`.slice(0, 63);
}
