import { PassThrough } from 'node:stream';

import { SILENT_LOGGER } from '@kabar/core';
import defaultManifest, { type ConsoleLine, consolePlugin } from '@kabar/plugin-console';
import { validatePluginConfig } from '@kabar/plugin-sdk';
import { anOutboundMessage, runConformance } from '@kabar/plugin-sdk/conformance';
import { describe, expect, it } from 'vitest';

// The peer is a real stream: every byte the plugin writes is captured and inspected.
function capture(): { stream: PassThrough; text: () => string; lines: () => ConsoleLine[] } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  return {
    stream,
    text: () => text,
    lines: () => text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as ConsoleLine),
  };
}

const stdout = capture();
const stderr = capture();
const manifest = consolePlugin({ stdout: stdout.stream, stderr: stderr.stream });

runConformance({
  manifest,
  packageJson: new URL('../package.json', import.meta.url),
  config: () => ({}),
  received: () => stdout.lines().map((line) => line.notificationId),
  // A console line carries no idempotency key: it is not something an operator looks for.
  identifyBy: 'notificationId',
});

describe('console plugin', () => {
  const message = anOutboundMessage({
    channel: 'console',
    to: '+6281299887766',
    subject: 'Tagihan PBB Budi Santoso',
    body: 'Yth. Budi Santoso (NIK 3174012345678901), tagihan Rp 1.250.000 jatuh tempo 30/06. 🎉',
    html: '<p>Yth. Budi Santoso</p>',
    eventType: 'tax.due',
  });

  it('writes one line per message with ids, channel, agency, event, locale and body length only', async () => {
    const provider = await manifest.create(validatePluginConfig(manifest, { stream: 'stderr' }), { logger: SILENT_LOGGER });
    await expect(provider.send([message])).resolves.toEqual([{ notificationId: message.notificationId, status: 'sent' }]);
    expect(stderr.lines()).toEqual([
      {
        notificationId: message.notificationId,
        channel: 'console',
        agencyCode: 'DUKCAPIL',
        eventType: 'tax.due',
        locale: 'id-ID',
        bodyLength: 84, // UTF-16 code units: the emoji counts two, as in a Unicode SMS
      },
    ]);
    await provider.close();
  });

  it('never writes personal data: recipient, subject, body or HTML', () => {
    const written = stdout.text() + stderr.text();
    for (const secret of ['+6281299887766', 'Budi', '3174012345678901', 'Rp 1.250.000', '<p>', 'Tagihan']) {
      expect(written, secret).not.toContain(secret);
    }
  });

  it('defaults to stdout', () => {
    expect(validatePluginConfig(manifest, {})).toEqual({ stream: 'stdout' });
    expect(validatePluginConfig(defaultManifest, {})).toEqual({ stream: 'stdout' });
  });

  it('fails the batch with a retryable error when the stream cannot be written', async () => {
    const broken = new PassThrough();
    broken.destroy();
    const provider = await consolePlugin({ stdout: broken, stderr: broken }).create({ stream: 'stdout' }, { logger: SILENT_LOGGER });
    await expect(provider.check()).resolves.toEqual({ ok: false, detail: 'stdout is closed' });
    await expect(provider.send([message])).rejects.toMatchObject({ code: 'PROVIDER_ERROR', retryable: true });
  });
});
