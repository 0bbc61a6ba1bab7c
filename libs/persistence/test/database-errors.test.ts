import { DatabaseUnavailableError, isDatabaseUnreachable } from '@kabar/persistence';
import { describe, expect, it } from 'vitest';

const coded = (code: string, message = 'x'): Error => Object.assign(new Error(message), { code });

describe('isDatabaseUnreachable', () => {
  it.each([
    ['a refused connection', coded('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['a reset connection', coded('ECONNRESET')],
    ['every address of a host refusing', new AggregateError([coded('ECONNREFUSED'), coded('ECONNREFUSED')], '')],
    ['a connection pg saw end', new Error('Connection terminated unexpectedly')],
    ['a silent connection the hub closed', new Error('Connection terminated')],
    ['a statement cancelled at the statement timeout', coded('57014', 'canceling statement due to statement timeout')],
    ['a pool that could not connect in time', new Error('timeout exceeded when trying to connect')],
    ['an administrator shutting the server down', coded('57P01', 'terminating connection due to administrator command')],
    ['a server starting up', coded('57P03', 'the database system is starting up')],
    ['a full server', coded('53300', 'sorry, too many clients already')],
    ['a full disk', coded('53100', 'could not extend file "base/16384/16385": No space left on device')],
    ['a connection left on a primary demoted to standby', coded('25006', 'cannot execute INSERT in a read-only transaction')],
    ['a connection exception (class 08)', coded('08006')],
    ['a wrapped cause', new Error('query failed', { cause: coded('ECONNREFUSED') })],
    ['the start-up check giving up', new DatabaseUnavailableError('PostgreSQL at db:5432/kabar: refused')],
  ])('is true for %s', (_, error) => {
    expect(isDatabaseUnreachable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', coded('23505', 'duplicate key value violates unique constraint')],
    ['a syntax error', coded('42601', 'syntax error at or near "selec"')],
    ['a value the column refuses', coded('22021', 'invalid byte sequence for encoding "UTF8": 0x00')],
    ['a plain error', new Error('something else')],
    ['something not an error', 'ECONNREFUSED'],
    ['nothing', undefined],
  ])('is false for %s', (_, error) => {
    expect(isDatabaseUnreachable(error)).toBe(false);
  });
});
