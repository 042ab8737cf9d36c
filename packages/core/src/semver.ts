/**
 * Semantic versions for the semverEq / semverLt / semverGt operators: SemVer 2.0.0 precedence,
 * with the leniency app versions need (a leading "v", "1.2" meaning "1.2.0").
 */

/** A parsed version. Prerelease identifiers are numbers (numeric) or strings (alphanumeric). */
export interface SemVer {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  readonly prerelease: readonly (string | number)[];
}

// Build metadata is matched so it can be ignored; leading zeros are tolerated ("1.02" == "1.2").
const SEMVER = /^[vV]?(\d{1,15})(?:\.(\d{1,15})(?:\.(\d{1,15}))?)?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

/**
 * Parses a version, or returns undefined when it is not one.
 *
 * @example
 * parseSemver("v1.2-beta.1"); // { major: 1, minor: 2, patch: 0, prerelease: ["beta", 1] }
 * parseSemver("latest"); // undefined
 */
export function parseSemver(input: string): SemVer | undefined {
  if (input.length > 256) return undefined;
  const m = SEMVER.exec(input);
  if (m === null) return undefined;
  const prerelease = m[4] === undefined ? [] : m[4].split(".").map((id) => (/^\d{1,15}$/.test(id) ? Number(id) : id));
  return { major: Number(m[1]), minor: Number(m[2] ?? 0), patch: Number(m[3] ?? 0), prerelease };
}

function compareIdentifiers(a: string | number, b: string | number): number {
  if (typeof a === "number") {
    // Numeric identifiers have lower precedence than alphanumeric ones.
    if (typeof b !== "number") return -1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof b === "number") return 1;
  // SemVer compares alphanumeric identifiers in ASCII order, which is what < does on ASCII.
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Compares by SemVer precedence: negative when a < b, 0 when equal, positive when a > b.
 *
 * @example
 * compareSemver(parseSemver("1.0.0-rc.1")!, parseSemver("1.0.0")!); // < 0
 */
export function compareSemver(a: SemVer, b: SemVer): number {
  if (a.major !== b.major) return a.major < b.major ? -1 : 1;
  if (a.minor !== b.minor) return a.minor < b.minor ? -1 : 1;
  if (a.patch !== b.patch) return a.patch < b.patch ? -1 : 1;
  const pa = a.prerelease;
  const pb = b.prerelease;
  // A release ranks above any of its prereleases.
  if (pa.length === 0 || pb.length === 0) return pb.length - pa.length;
  const shared = Math.min(pa.length, pb.length);
  for (let i = 0; i < shared; i++) {
    const order = compareIdentifiers(pa[i]!, pb[i]!);
    if (order !== 0) return order;
  }
  return pa.length - pb.length;
}
