import { isRfc3339 } from '@kabar/contracts';
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

/** Longer than any RFC 3339 date-time with nanoseconds and an offset. */
const MAX_LENGTH = 40;

function toDate(value: unknown): Date {
  if (typeof value !== 'string' || value.length > MAX_LENGTH || !isRfc3339(value)) {
    throw new GraphQLError('a DateTime must be an RFC 3339 date-time string, e.g. "2026-11-01T00:00:00Z" or "2026-11-01T07:00:00+07:00"');
  }
  return new Date(value);
}

/**
 * The `DateTime` scalar, strict where @nestjs/graphql's own is not: that one turned any value (`[]`, `{}`, `"soon"`)
 * into an Invalid Date that reached the resolvers, and a query for complaint performance answered 500. Refused
 * values are BAD_USER_INPUT, as graphql-js reports a scalar's refusal.
 */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'A date-time string per RFC 3339, such as 2026-12-03T09:54:33Z or 2026-12-03T16:54:33+07:00; answered at UTC.',
  parseValue: toDate,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('a DateTime must be a string');
    return toDate(ast.value);
  },
  serialize: (value) => {
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new GraphQLError('DateTime cannot represent an invalid date');
    return value.toISOString();
  },
});
