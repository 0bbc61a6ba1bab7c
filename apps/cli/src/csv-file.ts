import { readFile } from 'node:fs/promises';

import { describeError } from '@kabar/core';

import { CliError, CliErrorCode } from './cli-error.js';

/** The file as text; a file that is not UTF-8 is refused rather than read with replacement characters in names. */
export async function readCsv(file: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT') throw new CliError(CliErrorCode.Failed, `no file ${file}`);
    if (code === 'EISDIR') throw new CliError(CliErrorCode.Failed, `${file} is a directory, not a CSV file`);
    throw new CliError(CliErrorCode.Failed, `cannot read ${file}: ${describeError(error)}`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CliError(CliErrorCode.Failed, `${file} is not UTF-8 text; save it as "CSV UTF-8"`);
  }
}
