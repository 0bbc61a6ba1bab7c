import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { CHANNELS, type PluginManifest } from '@kabar/plugin-sdk';

import { PluginAdminError, PluginAdminErrorCode } from './plugin-admin.errors.js';
import { readPackageTarball } from './tarball.reader.js';

/** A plugin package as found on disk: its package.json facts and its manifest. */
export interface PluginPackage {
  readonly packageName: string;
  readonly version: string;
  /** Directory holding package.json. */
  readonly directory: string;
  readonly manifest: PluginManifest<never>;
}

interface PackageJson {
  name?: unknown;
  version?: unknown;
  main?: unknown;
  exports?: unknown;
  kabar?: { plugin?: unknown };
}

const bad = (message: string): PluginAdminError => new PluginAdminError(PluginAdminErrorCode.InvalidPackage, message);

/** npm's integrity form: `sha512-<base64>` of the tarball bytes, as `npm pack --json` and lockfiles print it. */
export function integrityOf(bytes: Buffer): string {
  return `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
}

/**
 * Unpacks an `npm pack` tarball into `<pluginsDir>/<name>-<version>-<hash>/`, checking `expectedIntegrity` first when
 * given, and returns the directory and the tarball's integrity. Writing into a fresh directory and renaming it into
 * place means a half-written plugin is never loaded.
 */
export function unpackTarball(tarball: Buffer, pluginsDir: string, expectedIntegrity: string | null): { directory: string; integrity: string } {
  const integrity = integrityOf(tarball);
  if (expectedIntegrity !== null && expectedIntegrity !== integrity) {
    throw new PluginAdminError(PluginAdminErrorCode.IntegrityMismatch, `the tarball's integrity is ${integrity}, not the expected ${expectedIntegrity}: it changed since it was reviewed`);
  }
  const entries = readPackageTarball(tarball);
  const manifestEntry = entries.find((e) => e.path === 'package.json');
  if (manifestEntry === undefined) throw bad('the tarball has no package.json');
  const pkg = parsePackageJson(manifestEntry.data.toString('utf8'));
  const safeName = String(pkg.name).replace(/[^a-z0-9._-]+/gi, '_');
  const target = join(pluginsDir, `${safeName}-${String(pkg.version)}-${integrity.slice(7, 19).replace(/[^a-z0-9]/gi, '_')}`);
  mkdirSync(pluginsDir, { recursive: true });
  linkHubModules(pluginsDir);
  if (existsSync(target)) return { directory: target, integrity };
  const partial = `${target}.partial`;
  rmSync(partial, { recursive: true, force: true });
  for (const entry of entries) {
    const file = resolve(partial, entry.path);
    if (!file.startsWith(`${resolve(partial)}/`)) throw bad(`entry "${entry.path}" points outside the package`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, entry.data);
  }
  renameSync(partial, target);
  return { directory: target, integrity };
}

/**
 * Gives the plugins directory the hub's `node_modules` (a symlink beside the unpacked packages), so a plugin resolves
 * `@kabar/plugin-sdk` and the hub's other packages wherever `KABAR_DATA_DIR` is (`/var/lib/kabar` outside the
 * application's tree, say): Node looks for packages in the `node_modules` of each folder above the importing file.
 * The link resolves to the hub's own copies, so a plugin's `PluginError` is the hub's.
 */
function linkHubModules(pluginsDir: string): void {
  const link = join(pluginsDir, 'node_modules');
  if (existsSync(link) || isDanglingLink(link)) return;
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const modules = join(dir, 'node_modules');
    if (existsSync(join(modules, '@kabar', 'plugin-sdk'))) {
      symlinkSync(modules, link, 'dir');
      return;
    }
  }
}

function isDanglingLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * Integrity of a plugin directory: sha512 over its files (sorted paths and contents), so an installed directory can
 * be re-checked later against what the admin approved.
 */
export function directoryIntegrity(directory: string): string {
  const hash = createHash('sha512');
  const walk = (dir: string, prefix: string): void => {
    for (const name of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (name.name === 'node_modules' || name.name.endsWith('.tsbuildinfo')) continue;
      const path = join(dir, name.name);
      if (name.isDirectory()) walk(path, `${prefix}${name.name}/`);
      else if (name.isFile()) hash.update(`${prefix}${name.name}\0`).update(readFileSync(path)).update('\0');
    }
  };
  walk(directory, '');
  return `sha512-${hash.digest('base64')}`;
}

/** Reads a plugin package directory: package.json must mark it a Kabar plugin; its entry's default export the manifest. */
export async function loadPluginPackage(directory: string): Promise<PluginPackage> {
  const jsonPath = join(directory, 'package.json');
  if (!existsSync(jsonPath)) throw bad(`${directory} has no package.json`);
  const pkg = parsePackageJson(readFileSync(jsonPath, 'utf8'));
  const entry = entryOf(pkg);
  const entryPath = resolve(directory, entry);
  if (!entryPath.startsWith(`${resolve(directory)}/`) || !existsSync(entryPath)) throw bad(`the package's entry ${entry} is missing (was it built before packing?)`);
  let loaded: unknown;
  try {
    loaded = ((await import(pathToFileURL(entryPath).href)) as { default?: unknown }).default;
  } catch (error) {
    throw bad(`the package's entry could not be loaded: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { packageName: String(pkg.name), version: String(pkg.version), directory, manifest: checkManifest(loaded, String(pkg.version)) };
}

function parsePackageJson(text: string): PackageJson {
  let pkg: PackageJson;
  try {
    pkg = JSON.parse(text) as PackageJson;
  } catch {
    throw bad('package.json is not JSON');
  }
  if (typeof pkg.name !== 'string' || typeof pkg.version !== 'string') throw bad('package.json needs a name and a version');
  if (pkg.kabar?.plugin !== true) throw bad(`${pkg.name} is not a Kabar plugin: its package.json lacks "kabar": { "plugin": true }`);
  return pkg;
}

/** The file `import(pkg)` would load: exports["."].default (or .import), else main, else index.js. */
function entryOf(pkg: PackageJson): string {
  const dot = typeof pkg.exports === 'object' && pkg.exports !== null ? (pkg.exports as Record<string, unknown>)['.'] : pkg.exports;
  if (typeof dot === 'string') return dot;
  if (typeof dot === 'object' && dot !== null) {
    const conditions = dot as Record<string, unknown>;
    for (const key of ['default', 'import']) if (typeof conditions[key] === 'string') return conditions[key];
  }
  return typeof pkg.main === 'string' ? pkg.main : 'index.js';
}

function checkManifest(value: unknown, version: string): PluginManifest<never> {
  if (typeof value !== 'object' || value === null) throw bad('the package does not default-export a plugin manifest');
  const m = value as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof m.id !== 'string' || !/^[a-z][a-z0-9-]{1,62}$/.test(m.id)) problems.push('id must be kebab-case');
  if (typeof m.channel !== 'string' || !(CHANNELS as readonly string[]).includes(m.channel)) problems.push(`channel must be one of ${CHANNELS.join(', ')}`);
  if (m.version !== version) problems.push(`version ${String(m.version)} differs from package.json's ${version}`);
  const schema = m.configSchema as Record<string, unknown> | undefined;
  if (typeof schema !== 'object' || schema.type !== 'object' || schema.additionalProperties !== false) problems.push('configSchema must be an object schema with additionalProperties: false');
  if (typeof m.create !== 'function') problems.push('create must be a function');
  if (problems.length > 0) throw bad(`the manifest is not valid: ${problems.join('; ')}`);
  return value as PluginManifest<never>;
}
