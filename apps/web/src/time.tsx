/**
 * Every date and time the UI shows: absolute in the reader's locale, or relative ("5 minutes
 * ago") with the absolute one on hover, kept true on an open page.
 */
import { useEffect, useState } from "react";

/** "Jun 1, 2025, 2:00:00 PM GMT+2" in the reader's locale. */
export function formatDateTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "long" });
}

const relative = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
const units: [Intl.RelativeTimeFormatUnit, number][] = [
  ["day", 86_400_000],
  ["hour", 3_600_000],
  ["minute", 60_000],
];

/**
 * "just now", "5 minutes ago", "yesterday"; older than a month, the date.
 *
 * @example
 * formatRelativeTime("2025-06-01T11:55:00Z", Date.parse("2025-06-01T12:00:00Z")); // "5 minutes ago"
 */
export function formatRelativeTime(iso: string, now: number): string {
  const elapsed = now - Date.parse(iso);
  if (elapsed < 45_000) return "just now";
  if (elapsed > 30 * 86_400_000) return new Date(iso).toLocaleDateString("en", { dateStyle: "medium" });
  const [unit, size] = units.find(([, size]) => elapsed >= size) ?? units.at(-1)!;
  return relative.format(-Math.max(1, Math.round(elapsed / size)), unit);
}

/**
 * The current time, refreshed every `intervalMs` (a minute keeps "5 minutes ago" true, a second
 * runs a countdown); `null` stops the refresh.
 */
export function useNow(intervalMs: number | null = 60_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (intervalMs === null) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

/** An absolute date and time. */
export function DateTime({ iso }: { iso: string }) {
  return <time dateTime={iso}>{formatDateTime(iso)}</time>;
}

/** A relative time that stays true while the page is open, with the absolute one as its title. */
export function RelativeTime({ iso }: { iso: string }) {
  const now = useNow();
  return (
    <time dateTime={iso} title={formatDateTime(iso)}>
      {formatRelativeTime(iso, now)}
    </time>
  );
}
