import { describe, expect, it } from 'vitest';

import { answerDueAt, checkDayOff, checkWorkingWeekdays, complaintRates, parseDaysOffCsv, weekdayDigits, weekdaysOfDigits, WorkingCalendar } from '../../src/index.js';

const bandung = { id: 'a-bdg', timezone: 'WIB' as const };
const jayapura = { id: 'a-jpr', timezone: 'WIT' as const };
const at = (iso: string): Date => new Date(iso);

describe('answerDueAt', () => {
  it('adds clock hours, weekends and days off included', () => {
    const calendar = new WorkingCalendar([{ day: '2026-12-07', agencyId: null }]);
    expect(answerDueAt(at('2026-12-04T08:00:00Z'), { hours: 72 }, bandung, calendar)).toEqual(at('2026-12-07T08:00:00Z'));
  });

  it('counts working days from the next local day and ends at local midnight', () => {
    // Friday 4 December 2026, 15:00 WIB: Monday, Tuesday, Wednesday; due Thursday 00:00 WIB (Wednesday 17:00 UTC).
    expect(answerDueAt(at('2026-12-04T08:00:00Z'), { workingDays: 3 }, bandung, new WorkingCalendar())).toEqual(at('2026-12-09T17:00:00Z'));
    // Sent on Saturday: the same three days.
    expect(answerDueAt(at('2026-12-05T03:00:00Z'), { workingDays: 3 }, bandung, new WorkingCalendar())).toEqual(at('2026-12-09T17:00:00Z'));
  });

  it('reads days in the agency own zone', () => {
    // Monday 7 December 2026, 23:30 WIT = 14:30 UTC; one working day is Tuesday, due Wednesday 00:00 WIT = Tuesday 15:00 UTC.
    expect(answerDueAt(at('2026-12-07T14:30:00Z'), { workingDays: 1 }, jayapura, new WorkingCalendar())).toEqual(at('2026-12-08T15:00:00Z'));
    // The same instant in WIB is Monday 21:30: also Tuesday, due Wednesday 00:00 WIB.
    expect(answerDueAt(at('2026-12-07T14:30:00Z'), { workingDays: 1 }, bandung, new WorkingCalendar())).toEqual(at('2026-12-08T17:00:00Z'));
  });

  it('skips national days off for everyone and an agency own days off for it alone', () => {
    const calendar = new WorkingCalendar([
      { day: '2026-12-24', agencyId: null },
      { day: '2026-12-25', agencyId: null },
      { day: '2026-12-28', agencyId: 'a-bdg' },
    ]);
    // Wednesday 23 December, 10:00 WIB: 24 and 25 off, 26 and 27 weekend, 28 off for Bandung: 29, 30 → due 31 00:00 WIB.
    expect(answerDueAt(at('2026-12-23T03:00:00Z'), { workingDays: 2 }, bandung, calendar)).toEqual(at('2026-12-30T17:00:00Z'));
    // Another agency works on the 28th.
    expect(answerDueAt(at('2026-12-23T03:00:00Z'), { workingDays: 2 }, { id: 'other', timezone: 'WIB' }, calendar)).toEqual(at('2026-12-29T17:00:00Z'));
  });

  it('counts the days of a six-day week, and a hospital desk that works every day', () => {
    // Friday 4 December 2026, 15:00 WIB, three working days of a Monday-to-Saturday week: Saturday, Monday, Tuesday.
    const sixDays = { ...bandung, workingWeekdays: [1, 2, 3, 4, 5, 6] };
    expect(answerDueAt(at('2026-12-04T08:00:00Z'), { workingDays: 3 }, sixDays, new WorkingCalendar())).toEqual(at('2026-12-08T17:00:00Z'));
    const everyDay = { ...bandung, workingWeekdays: [1, 2, 3, 4, 5, 6, 7] };
    expect(answerDueAt(at('2026-12-04T08:00:00Z'), { workingDays: 3 }, everyDay, new WorkingCalendar())).toEqual(at('2026-12-07T17:00:00Z'));
    // A day off on its Sunday still counts for it.
    expect(answerDueAt(at('2026-12-04T08:00:00Z'), { workingDays: 3 }, everyDay, new WorkingCalendar([{ day: '2026-12-06', agencyId: null }]))).toEqual(at('2026-12-08T17:00:00Z'));
  });

  it('keeps a working week as digits', () => {
    expect(weekdayDigits([6, 1, 2, 3, 4, 5, 1])).toBe('123456');
    expect(weekdaysOfDigits('12345')).toEqual([1, 2, 3, 4, 5]);
  });

  it('checks a working week', () => {
    expect([checkWorkingWeekdays([1, 2, 3, 4, 5]), checkWorkingWeekdays([]), checkWorkingWeekdays([0, 1]), checkWorkingWeekdays([1, 1])]).toEqual([
      null,
      'a working week needs at least one working day',
      'working weekdays are 1 (Monday) to 7 (Sunday)',
      'a working weekday is given twice',
    ]);
  });

  it('ends even when the calendar holds no working day at all', () => {
    const days = Array.from({ length: 366 * 6 }, (_, i) => ({ day: new Date(Date.UTC(2027, 0, 1 + i)).toISOString().slice(0, 10), agencyId: null }));
    const due = answerDueAt(at('2026-12-31T03:00:00Z'), { workingDays: 1 }, bandung, new WorkingCalendar(days));
    expect(due.getTime()).toBeGreaterThan(at('2031-12-01T00:00:00Z').getTime());
  });
});

describe('checkDayOff', () => {
  it('takes a real date and a name', () => {
    expect(checkDayOff(' 2027-08-17 ', ' Hari Kemerdekaan RI ')).toEqual({ ok: true, day: '2027-08-17', name: 'Hari Kemerdekaan RI' });
  });

  it.each([
    ['2027-02-30', 'x', 'expected a date like 2027-03-10, got "2027-02-30"'],
    ['17/08/2027', 'x', 'expected a date like 2027-03-10, got "17/08/2027"'],
    ['1999-12-31', 'x', 'the year must be from 2000 to 2100, got 1999'],
    ['2027-08-17', '  ', 'the day off needs a name, e.g. "Hari Kemerdekaan RI"'],
    ['2027-08-17', 'x'.repeat(201), 'the name is over 200 characters'],
  ])('refuses %s / %s', (day, name, problem) => {
    expect(checkDayOff(day, name)).toEqual({ ok: false, problem });
  });
});


describe('parseDaysOffCsv', () => {
  it('reads national and agency days off under any column order', () => {
    const csv = 'Name,Date,Agency\r\nHari Kemerdekaan RI,2027-08-17,\r\n"Hari jadi Kota Bandung, ke-217",2027-09-25,lapor-bdg\r\n';
    expect(parseDaysOffCsv(csv)).toEqual({
      days: [
        { day: '2027-08-17', name: 'Hari Kemerdekaan RI', agencyCode: null },
        { day: '2027-09-25', name: 'Hari jadi Kota Bandung, ke-217', agencyCode: 'lapor-bdg' },
      ],
      errors: [],
    });
  });

  it('names every bad line, and a bad or empty header', () => {
    expect(parseDaysOffCsv('date,name\n2027-13-01,Salah\n2027-12-25,\n2027-12-25,Natal\n').errors).toEqual([
      { line: 2, message: 'expected a date like 2027-03-10, got "2027-13-01"' },
      { line: 3, message: 'the day off needs a name, e.g. "Hari Kemerdekaan RI"' },
    ]);
    expect(parseDaysOffCsv('date,name,agency\n2027-12-25,Natal,\n2027-12-25,Natal,lapor-bdg\n2027-12-25,Hari Natal,\n').errors).toEqual([{ line: 4, message: '2027-12-25 is already on line 2' }]);
    expect(parseDaysOffCsv('tanggal,nama\n2027-12-25,Natal\n').errors).toEqual([{ line: 1, message: 'expected a header with date and name (and optionally agency), got "tanggal,nama"' }]);
    expect(parseDaysOffCsv('').errors).toEqual([{ line: 1, message: 'the file is empty: expected a header "date,name,agency"' }]);
    expect(parseDaysOffCsv('date,name\n').errors).toEqual([{ line: 1, message: 'no days off under the header' }]);
  });
});

it('rates answers out of complaints opened, and those in time out of those answered', () => {
  expect(complaintRates({ opened: 8, answered: 6, answeredInTime: 4 })).toEqual({ answerRate: 0.75, inTimeRate: 0.667 });
  expect(complaintRates({ opened: 0, answered: 0, answeredInTime: 0 })).toEqual({ answerRate: null, inTimeRate: null });
});
