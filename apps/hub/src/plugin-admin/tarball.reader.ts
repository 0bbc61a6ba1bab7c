import { gunzipSync } from 'node:zlib';

import { PluginAdminError, PluginAdminErrorCode } from './plugin-admin.errors.js';

/** One regular file of a package tarball, its path relative to the package root (npm's `package/` prefix removed). */
export interface TarEntry {
  readonly path: string;
  readonly data: Buffer;
}

/** Bounds for untrusted tarballs: a plugin is small; anything bigger is a mistake or an attack. */
export const TARBALL_LIMITS = { compressedBytes: 20 * 1024 * 1024, expandedBytes: 100 * 1024 * 1024, entries: 5_000 } as const;

const BLOCK = 512;

/**
 * Reads an `npm pack` tarball (gzip + ustar) without extracting anything: every file with its path, checked so that
 * no entry can escape the package directory (absolute paths, `..`), links and devices are refused, and sizes stay
 * within `TARBALL_LIMITS`. Small and strict on purpose: it only needs to read what `npm pack` writes.
 */
export function readPackageTarball(gzipped: Buffer): TarEntry[] {
  const bad = (message: string): PluginAdminError => new PluginAdminError(PluginAdminErrorCode.InvalidPackage, `not a valid plugin tarball: ${message}`);
  if (gzipped.length > TARBALL_LIMITS.compressedBytes) throw bad(`larger than ${String(TARBALL_LIMITS.compressedBytes)} bytes`);
  let tar: Buffer;
  try {
    tar = gunzipSync(gzipped, { maxOutputLength: TARBALL_LIMITS.expandedBytes });
  } catch {
    throw bad('not gzip data, or it expands beyond the size limit');
  }
  const entries: TarEntry[] = [];
  let offset = 0;
  let longName: string | null = null;
  while (offset + BLOCK <= tar.length) {
    const header = tar.subarray(offset, offset + BLOCK);
    if (header.every((byte) => byte === 0)) break; // end of archive
    if (!checksumMatches(header)) throw bad(`corrupt header at byte ${String(offset)}`);
    const size = octal(header.subarray(124, 136));
    const type = String.fromCharCode(header[156] ?? 0);
    const prefix = text(header.subarray(345, 500));
    const name = longName ?? (prefix === '' ? text(header.subarray(0, 100)) : `${prefix}/${text(header.subarray(0, 100))}`);
    longName = null;
    const dataStart = offset + BLOCK;
    if (!Number.isInteger(size)) throw bad(`entry "${name}" has an unreadable size`);
    if (dataStart + size > tar.length) throw bad(`entry "${name}" is cut short`);
    const data = tar.subarray(dataStart, dataStart + size);
    offset = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'L') {
      longName = data.toString('utf8').replace(/\0+$/, ''); // GNU long name for the next entry
      continue;
    }
    if (type === 'x' || type === 'g' || type === '5') continue; // pax headers, directories
    if (type !== '0' && type !== '\0') throw bad(`entry "${name}" is a link or device; only files are allowed`);
    entries.push({ path: safePath(name, bad), data: Buffer.from(data) });
    if (entries.length > TARBALL_LIMITS.entries) throw bad(`more than ${String(TARBALL_LIMITS.entries)} files`);
  }
  if (entries.length === 0) throw bad('no files');
  return entries;
}

function safePath(name: string, bad: (message: string) => PluginAdminError): string {
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (name.startsWith('/') || parts.some((p) => p === '..' || p.includes('\\'))) throw bad(`entry "${name}" points outside the package`);
  // npm pack puts everything under one top directory (usually `package/`).
  const [, ...rest] = parts;
  if (rest.length === 0) throw bad(`entry "${name}" is outside the package directory`);
  return rest.join('/');
}

function text(bytes: Buffer): string {
  const end = bytes.indexOf(0);
  return bytes.subarray(0, end === -1 ? bytes.length : end).toString('utf8');
}

function octal(bytes: Buffer): number {
  const value = Number.parseInt(text(bytes).trim() || '0', 8);
  return Number.isFinite(value) && value >= 0 ? value : Number.NaN;
}

function checksumMatches(header: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (header[i] ?? 0);
  return sum === octal(header.subarray(148, 156));
}
