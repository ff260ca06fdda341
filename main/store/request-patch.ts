// updateRequest's SQL: only the columns the patch names are set. Column names come from this fixed table,
// never from the caller; values are bound.
import type Database from 'better-sqlite3';
import type { RequestPatch } from './store-types';

type Prepare = (sql: string) => Database.Statement;

/** Sets the patched columns of request `id`. Returns false when no request has this id. */
export function applyPatch(prepare: Prepare, id: string, patch: RequestPatch): boolean {
  const sets: string[] = [];
  const params: unknown[] = [];
  const set = (column: string, value: unknown): void => {
    sets.push(`${column} = ?`);
    params.push(value);
  };
  if (patch.provider !== undefined) set('provider', patch.provider);
  if (patch.eventType !== undefined) set('event_type', patch.eventType);
  if (patch.eventId !== undefined) set('event_id', patch.eventId);
  if (patch.verification !== undefined) {
    const v = patch.verification;
    set('verification_status', v?.status ?? null);
    set('verification_provider', v?.provider ?? null);
    set('verification_reason', v?.reason ?? null);
  }
  if (patch.pinned !== undefined) set('pinned', patch.pinned ? 1 : 0);
  if (patch.note !== undefined) set('note', patch.note === '' ? null : patch.note);
  if (sets.length === 0) return prepare('SELECT 1 FROM requests WHERE id = ?').get(id) !== undefined;
  return prepare(`UPDATE requests SET ${sets.join(', ')} WHERE id = ?`).run(...params, id).changes === 1;
}
