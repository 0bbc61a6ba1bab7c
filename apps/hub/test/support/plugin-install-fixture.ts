import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

import { as } from './agency-fixture.js';

/** A plugin package as `npm pack` wrote it, with the integrity npm computed (what an admin records on review). */
export interface PackedPlugin {
  readonly tarball: string;
  readonly integrity: string;
}

/**
 * Packs a plugin directory into `destination` with the real `npm pack`.
 * @example const { tarball, integrity } = packPlugin(join(ROOT, 'plugins/sms-smpp'), work)
 */
export function packPlugin(directory: string, destination: string): PackedPlugin {
  const packed = JSON.parse(execFileSync('npm', ['pack', directory, '--pack-destination', destination, '--json'], { encoding: 'utf8' })) as { filename: string; integrity: string }[];
  const [first] = packed;
  if (first === undefined) throw new Error(`npm pack ${directory} packed nothing`);
  return { tarball: join(destination, first.filename), integrity: first.integrity };
}

export interface InstalledPlugin {
  readonly id: string;
  readonly name: string;
  readonly pluginId: string;
  readonly enabled: boolean;
  readonly check: { readonly ok: boolean; readonly detail: string } | null;
}

export interface InstallSteps {
  readonly packed: PackedPlugin;
  /** The install's name; two installs of one plugin need two names. */
  readonly name: string;
  readonly config: Record<string, unknown>;
}

const INSTALL_FIELDS = 'id name pluginId enabled check { ok detail }';

/**
 * Takes a packed plugin through the admin's whole path over GraphQL (install with its integrity, approve, configure,
 * check, enable) and returns the enabled install; any refused step, or a failing check, fails with the hub's words.
 * @example await installedPlugin(url, admin, { packed, name: 'smsc-a', config: { host: '127.0.0.1', port, … } })
 */
export async function installedPlugin(url: string, admin: string, steps: InstallSteps): Promise<InstalledPlugin> {
  const call = async (operation: string, query: string, variables: Record<string, unknown>): Promise<InstalledPlugin> => {
    const res = await as<Record<string, InstalledPlugin>>(url, admin, query, variables);
    const install = res.data?.[operation];
    if (install === undefined) throw new Error(`${operation} of ${steps.name} failed: ${JSON.stringify(res.errors)}`);
    return install;
  };
  const { id } = await call('installPlugin', `mutation($s: String!, $i: String, $n: String) { installPlugin(source: $s, integrity: $i, name: $n) { ${INSTALL_FIELDS} } }`, {
    s: steps.packed.tarball,
    i: steps.packed.integrity,
    n: steps.name,
  });
  await call('approvePlugin', `mutation($id: ID!) { approvePlugin(id: $id) { ${INSTALL_FIELDS} } }`, { id });
  await call('configurePlugin', `mutation($id: ID!, $c: JSON!) { configurePlugin(id: $id, config: $c) { ${INSTALL_FIELDS} } }`, { id, c: steps.config });
  const checked = await call('checkPlugin', `mutation($id: ID!) { checkPlugin(id: $id) { ${INSTALL_FIELDS} } }`, { id });
  if (checked.check?.ok !== true) throw new Error(`the check of ${steps.name} failed: ${checked.check?.detail ?? 'no result'}`);
  return call('enablePlugin', `mutation($id: ID!) { enablePlugin(id: $id) { ${INSTALL_FIELDS} } }`, { id });
}
