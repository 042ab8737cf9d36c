/**
 * Instants for the before / after operators. Parsed by hand rather than with `Date.parse`, whose
 * handling of non-ISO text and of offset-less times (local time!) differs between engines and
 * machines: a flag must evaluate identically on the server and in every browser.
 */

const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/**
 * Milliseconds since the epoch of an ISO-8601 date or date-time string (`2024-05-01`,
 * `2024-05-01T12:30:00Z`, `2024-05-01T14:30:00.250+02:00`), or undefined when it is not one.
 * A date or time without an offset is read as UTC, so the result never depends on where it runs.
 *
 * @example
 * parseIsoDate("2024-05-01T00:00:00Z"); // 1714521600000
 * parseIsoDate("May 1st"); // undefined
 */
export function parseIsoDate(input: string): number | undefined {
  if (input.length > 64) return undefined;
  const m = ISO_8601.exec(input);
  if (m === null) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4] ?? 0);
  const minute = Number(m[5] ?? 0);
  const second = Number(m[6] ?? 0);
  const millis = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, "0"));
  if (month < 1 || month > 12 || day < 1 || day > DAYS_IN_MONTH[month - 1]!) return undefined;
  if (month === 2 && day === 29 && !isLeapYear(year)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  const zone = m[8];
  if (zone !== undefined && zone !== "Z" && zone !== "z") {
    const digits = zone.slice(1).replace(":", "");
    const offsetHours = Number(digits.slice(0, 2));
    const offsetMins = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (offsetHours > 23 || offsetMins > 59) return undefined;
    offsetMinutes = (zone[0] === "-" ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  // Date.UTC maps years 0–99 to 1900–1999; setting the year afterwards keeps them literal.
  const utc = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, millis));
  utc.setUTCFullYear(year);
  return utc.getTime() - offsetMinutes * 60_000;
}

/**
 * An instant from a clause value or attribute: epoch milliseconds as a finite number, or an
 * ISO-8601 string. Anything else is undefined (and never matches).
 *
 * @example
 * toInstant(1714521600000); // 1714521600000
 * toInstant("2024-05-01"); // 1714521600000
 */
export function toInstant(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "string") return parseIsoDate(value);
  return undefined;
}
