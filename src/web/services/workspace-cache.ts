/**
 * A few seconds of memory for "which workspaces is this person a member of". The legacy main
 * database is frozen in practice (Fief Cloud is closing) and people reload the list page far more
 * often than it changes, so every reload need not cost a database round trip. Only the list is
 * cached: an export always re-checks membership in the database (the dump engine's userSub).
 */
import type { WorkspaceDirectory, WorkspaceSummary } from './contracts.js';

export function withListCache(inner: WorkspaceDirectory, ttlMs: number, maxEntries = 10_000): WorkspaceDirectory {
  if (ttlMs <= 0) return inner;
  const entries = new Map<string, { at: number; list: Promise<WorkspaceSummary[]> }>();
  return {
    listForMember(sub) {
      const now = Date.now();
      const hit = entries.get(sub);
      if (hit && now - hit.at < ttlMs) return hit.list;
      if (entries.size >= maxEntries) entries.clear();
      // The promise is cached, so a burst of reloads shares one query; a failure is not kept.
      const list = inner.listForMember(sub);
      entries.set(sub, { at: now, list });
      list.catch(() => entries.delete(sub));
      return list;
    },
    ping: () => inner.ping(),
    close: () => inner.close(),
  };
}
