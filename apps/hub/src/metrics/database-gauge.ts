import { describeError, type Logger } from '@kabar/core';
import { Gauge } from 'prom-client';

import type { MetricsService } from './metrics.service.js';

/** One series of a gauge read from the database: its labels (none for an unlabelled gauge) and value. */
export interface GaugeSample {
  readonly labels?: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface DatabaseGaugeSpec {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly string[];
}

/**
 * A gauge whose series are read from the database at each scrape: figures of the shared database (backlogs), the
 * same on every instance. A scrape while the database is away gives NaN (no series for a labelled gauge) rather than
 * failing the whole /metrics answer.
 */
export function databaseGauge(metrics: MetricsService, logger: Logger, spec: DatabaseGaugeSpec, read: () => Promise<readonly GaugeSample[]>): Gauge {
  return new Gauge({
    name: spec.name,
    help: spec.help,
    labelNames: spec.labelNames ?? [],
    registers: [metrics.registry],
    async collect() {
      try {
        const samples = await read();
        this.reset();
        for (const sample of samples) {
          if (sample.labels === undefined) this.set(sample.value);
          else this.set(sample.labels, sample.value);
        }
      } catch (error) {
        logger.debug({ error: describeError(error), metric: spec.name }, 'could not read a gauge from the database for /metrics');
        this.reset();
        if ((spec.labelNames ?? []).length === 0) this.set(Number.NaN);
      }
    },
  });
}
