import 'reflect-metadata';

import { AgencyService } from '@kabar/hub';
import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { anAgency, as } from './support/agency-fixture.js';
import { aNationalId } from './support/citizen-fixture.js';
import { startEmbeddedHub } from './support/embedded-hub.js';

const IMPORT = 'mutation($c: String!, $d: Boolean!) { importCitizensCsv(csv: $c, dryRun: $d) { rows created updated errors { line column message } } }';
const HEADER = 'national_id,name,region_code,timezone,language,phone,email';

// importCitizensCsv at the GraphQL edge: the file checked on the hub, its problems by line and column.
describe('importCitizensCsv (embedded)', () => {
  let app: INestApplication;
  let url: string;
  let admin: string;

  beforeAll(async () => {
    ({ app, url } = await startEmbeddedHub());
    admin = await app.get(AgencyService).createAdmin('csv test admin', { kind: 'system', id: 'test' });
  });

  afterAll(async () => {
    await app.close();
  });

  it('imports a clean file, then reports the same rows as updates', async () => {
    const csv = `${HEADER}\n${aNationalId()},Siti,32.73.01.1001,WIB,id,0812-1000-0001,\n\n${aNationalId()},"Budi, S.T.",32.73.01.1001,WITA,en,,budi@example.com\n`;
    expect((await as(url, admin, IMPORT, { c: csv, d: false })).data).toEqual({ importCitizensCsv: { rows: 2, created: 2, updated: 0, errors: [] } });
    expect((await as(url, admin, IMPORT, { c: csv, d: true })).data).toEqual({ importCitizensCsv: { rows: 2, created: 0, updated: 2, errors: [] } });
  });

  it('names each problem by its line and column and writes nothing', async () => {
    const good = aNationalId();
    const csv = `${HEADER}\n${good},Siti,32.73.01.1001,WIB,id,0812-1000-0002,\n${good},Siti lagi,32.73.01.1001,WIB,id,0812-1000-0003,\n123,Budi,32.73.01.1001,XYZ,id,,\n`;
    const res = await as<{ importCitizensCsv: { created: number; errors: { line: number; column: string }[] } }>(url, admin, IMPORT, { c: csv, d: false });
    expect(res.data?.importCitizensCsv.created).toBe(0);
    expect(res.data?.importCitizensCsv.errors.map((e) => [e.line, e.column])).toEqual([
      [3, 'national_id'],
      [4, 'national_id'],
      [4, 'timezone'],
      [4, 'contact'],
    ]);
    const retry = await as<{ importCitizensCsv: { created: number } }>(url, admin, IMPORT, { c: `${HEADER}\n${good},Siti,32.73.01.1001,WIB,id,0812-1000-0002,\n`, d: true });
    expect(retry.data?.importCitizensCsv.created).toBe(1);
  });

  it('refuses a wrong header, an oversized file and anyone but an admin, each with its code', async () => {
    const header = await as<{ importCitizensCsv: { errors: { line: number; column: string }[] } }>(url, admin, IMPORT, { c: 'nik,nama\n1,2\n', d: true });
    expect(header.data?.importCitizensCsv.errors[0]?.line).toBe(1);
    const rows = Array.from({ length: 1001 }, () => `${aNationalId()},Warga,32.73.01.1001,WIB,id,,warga@example.com`).join('\n');
    expect((await as(url, admin, IMPORT, { c: `${HEADER}\n${rows}\n`, d: true })).errors?.[0]?.extensions?.code).toBe('IMPORT_TOO_LARGE');
    const agency = await anAgency(app, url, 'bapenda-csv');
    expect((await as(url, agency.key, IMPORT, { c: HEADER, d: true })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
