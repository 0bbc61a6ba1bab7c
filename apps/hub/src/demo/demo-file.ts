import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { DemoCitizen } from './demo.data.js';

/**
 * `<KABAR_DATA_DIR>/demo.json`: what `kabar demo` (and a person trying the hub) needs to act as the demo agencies.
 * It holds live credentials, so it is written owner-only.
 */
export interface DemoFile {
  readonly version: 1;
  readonly note: string;
  readonly createdAt: string;
  readonly adminToken: string;
  readonly agencies: readonly {
    readonly code: string;
    readonly name: string;
    readonly sources: readonly string[];
    readonly senderIds: { readonly sms: string | null; readonly email: string | null };
    readonly key: { readonly id: string; readonly kind: 'live'; readonly token: string };
    readonly eventTypes: readonly {
      readonly type: string;
      readonly messageClass: string;
      readonly allowedChannels: readonly string[];
      readonly example: Readonly<Record<string, unknown>>;
    }[];
  }[];
  /** Each with a signed-in session, so `myNotifications` can be tried at once (sessions last 24 hours). */
  readonly citizens: readonly (DemoCitizen & {
    readonly session: { readonly token: string; readonly expiresAt: string };
    /** The preference centre, signed in as this citizen (the embedded hub's web UI honours #token= links). */
    readonly preferenceCentre: string;
  })[];
}

export const DEMO_FILE_NAME = 'demo.json';

/** Writes the file owner-only and atomically, so a reader never sees half of it. */
export function writeDemoFile(dataDir: string, content: DemoFile): string {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, DEMO_FILE_NAME);
  const partial = `${path}.partial`;
  writeFileSync(partial, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  // The mode given to writeFileSync only applies to a new file and is reduced by the umask; make sure.
  chmodSync(partial, 0o600);
  renameSync(partial, path);
  return path;
}
