import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import type { TestProject } from 'vitest/node';

const ENV_FILE = fileURLToPath(new URL('../../../.kabar/services.env', import.meta.url));

declare module 'vitest' {
  export interface ProvidedContext {
    services: { databaseUrl: string; kafkaBrokers: string };
  }
}

function parseEnvFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match?.[1] !== undefined && match[2] !== undefined) values[match[1]] = match[2].replace(/^'(.*)'$/, '$1');
  }
  return values;
}

/** Hands the addresses of the real services to integration tests; fails loudly when they were not provisioned. */
export default function setup(project: TestProject): void {
  let values: Record<string, string>;
  try {
    values = parseEnvFile(readFileSync(ENV_FILE, 'utf8'));
  } catch {
    throw new Error(`integration tests need PostgreSQL and Kafka: run \`npm run services up\` first (npm test does) — ${ENV_FILE} is missing`);
  }
  const databaseUrl = values.DATABASE_URL;
  const kafkaBrokers = values.KAFKA_BROKERS;
  if (databaseUrl === undefined || kafkaBrokers === undefined) {
    throw new Error(`${ENV_FILE} lacks DATABASE_URL or KAFKA_BROKERS: run \`npm run services up\``);
  }
  project.provide('services', { databaseUrl, kafkaBrokers });
}
