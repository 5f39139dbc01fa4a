import type { VersionFields } from './api/types';

/** A copy of unsaved editor content in this browser: the safety net if a save never reaches the server. */
export interface DraftBackup {
  fields: VersionFields;
  /** The etag the content was based on, so restoring it cannot silently overwrite newer server work. */
  etag: string | null;
  at: string;
}

const key = (answerId: string | null) => `zhida.draft.${answerId ?? 'new'}`;

export function saveBackup(answerId: string | null, fields: VersionFields, etag: string | null) {
  try {
    localStorage.setItem(key(answerId), JSON.stringify({ fields, etag, at: new Date().toISOString() } satisfies DraftBackup));
  } catch {
    // Storage full or disabled: the server autosave still runs; the backup is only a safety net.
  }
}

export function readBackup(answerId: string | null): DraftBackup | null {
  try {
    const raw = localStorage.getItem(key(answerId));
    return raw ? (JSON.parse(raw) as DraftBackup) : null;
  } catch {
    return null;
  }
}

export function clearBackup(answerId: string | null) {
  try {
    localStorage.removeItem(key(answerId));
  } catch {
    /* see saveBackup */
  }
}
