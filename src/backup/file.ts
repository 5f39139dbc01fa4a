import { createHash } from 'node:crypto';
import type { BackupManifest } from './manifest.ts';

/**
 * A backup is one file: a magic line, the manifest as one line of JSON, then PGlite's gzipped tar of
 * the data directory (the archive alone also loads with `PGlite.create({ loadDataDir })`).
 */
const MAGIC = 'ZHIDA-BACKUP 1\n';

export const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

export function backupFile(manifest: BackupManifest, archive: Uint8Array<ArrayBuffer>): Blob {
  return new Blob([MAGIC, `${JSON.stringify(manifest)}\n`, archive]);
}

export class BadBackupFileError extends Error {}

/** Splits a backup file and checks the archive against the manifest's checksum. */
export function readBackupFile(bytes: Uint8Array): { manifest: BackupManifest; archive: Uint8Array<ArrayBuffer> } {
  const magic = new TextDecoder().decode(bytes.subarray(0, MAGIC.length));
  if (magic !== MAGIC) throw new BadBackupFileError('Not a Zhida backup file (it does not start with "ZHIDA-BACKUP 1").');
  const end = bytes.indexOf(0x0a, MAGIC.length);
  if (end < 0) throw new BadBackupFileError('The backup file is truncated (no manifest line).');
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(new TextDecoder().decode(bytes.subarray(MAGIC.length, end))) as BackupManifest;
  } catch {
    throw new BadBackupFileError('The backup manifest is not valid JSON.');
  }
  if (manifest.format !== 'zhida-backup' || manifest.kind !== 'pglite') throw new BadBackupFileError(`Unsupported backup (${manifest.format}/${manifest.kind}).`);
  const archive = bytes.slice(end + 1);
  if (archive.length !== manifest.bytes || sha256Hex(archive) !== manifest.sha256) {
    throw new BadBackupFileError(`The database archive does not match its checksum (${archive.length} of ${manifest.bytes} bytes): the file is damaged or incomplete.`);
  }
  return { manifest, archive };
}
