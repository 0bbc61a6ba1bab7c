const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * True when `value` is an RFC 3339 date-time (the CloudEvents Timestamp type), with real calendar values.
 * @example isRfc3339('2026-01-31T09:30:00+07:00') // true
 */
export function isRfc3339(value: string): boolean {
  const match = TIMESTAMP.exec(value);
  if (match === null) return false;
  // Optional groups are undefined at run time even though the array type says string; `?? '0'` covers both.
  const [year, month, day, hour, minute, second, offsetHour, offsetMinute] = [1, 2, 3, 4, 5, 6, 7, 8].map((group) => Number(match[group] ?? '0'));
  if (year === undefined || month === undefined || day === undefined || hour === undefined || minute === undefined || second === undefined) return false;
  if (offsetHour === undefined || offsetMinute === undefined) return false;
  // Second 60 is a leap second, which RFC 3339 allows.
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month) && hour <= 23 && minute <= 59 && second <= 60 && offsetHour <= 23 && offsetMinute <= 59;
}
