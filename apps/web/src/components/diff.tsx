/** What a change did, as a list of changed paths with their old and new values. */
import "./diff.css";

export interface DiffChange {
  /** `enabled`, `fallthrough.rollout.variants[0].weight`; "" for the whole value. */
  path: string;
  kind: "added" | "removed" | "changed";
  before?: unknown;
  after?: unknown;
}

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject => typeof value === "object" && value !== null && !Array.isArray(value);

function childPath(parent: string, key: string): string {
  const segment = /^[A-Za-z_$][\w$-]*$/.test(key) ? key : JSON.stringify(key);
  if (parent === "") return segment.startsWith('"') ? `[${segment}]` : segment;
  return segment.startsWith('"') ? `${parent}[${segment}]` : `${parent}.${segment}`;
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, index) => sameJson(item, b[index]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => key in b && sameJson(a[key], b[key]));
  }
  return false;
}

/**
 * The leaves that differ between two JSON values, walking objects by key and arrays by index. A
 * missing side (`null` before a creation, after a deletion) lists each top-level field as added
 * or removed, so a creation reads as the fields it set.
 *
 * @example
 * diffJson({ enabled: false, version: 3 }, { enabled: true, version: 4 });
 * // [{ path: "enabled", kind: "changed", before: false, after: true }, { path: "version", … }]
 */
export function diffJson(before: unknown, after: unknown): DiffChange[] {
  const changes: DiffChange[] = [];
  const walk = (path: string, a: unknown, b: unknown) => {
    if (isObject(a) && isObject(b)) {
      for (const key of Object.keys(a)) {
        if (key in b) walk(childPath(path, key), a[key], b[key]);
        else changes.push({ path: childPath(path, key), kind: "removed", before: a[key] });
      }
      for (const key of Object.keys(b)) {
        if (!(key in a)) changes.push({ path: childPath(path, key), kind: "added", after: b[key] });
      }
    } else if (Array.isArray(a) && Array.isArray(b)) {
      for (let index = 0; index < Math.max(a.length, b.length); index++) {
        const at = `${path}[${index}]`;
        if (index >= b.length) changes.push({ path: at, kind: "removed", before: a[index] });
        else if (index >= a.length) changes.push({ path: at, kind: "added", after: b[index] });
        else walk(at, a[index], b[index]);
      }
    } else if (!sameJson(a, b)) {
      changes.push({ path, kind: "changed", before: a, after: b });
    }
  };
  const absent = (value: unknown) => value === null || value === undefined;
  if (absent(before) && isObject(after)) walk("", {}, after);
  else if (isObject(before) && absent(after)) walk("", before, {});
  else walk("", before, after);
  return changes;
}

/** Bookkeeping every write bumps: shown, but quieter than the change itself. */
const bookkeeping = /(^|\.)(version|updatedAt)$/;

function Value({ value }: { value: unknown }) {
  return <code className="diff-value">{value === undefined ? "—" : JSON.stringify(value)}</code>;
}

export function Diff({ before, after }: { before: unknown; after: unknown }) {
  const changes = diffJson(before, after);
  if (changes.length === 0) return <p className="muted">No differences recorded.</p>;
  return (
    <ul className="diff">
      {changes.map((change) => (
        <li key={change.path} className={`diff-${change.kind}${bookkeeping.test(change.path) ? " diff-bookkeeping" : ""}`}>
          <span className="diff-kind">{change.kind}</span> <code className="diff-path">{change.path === "" ? "(value)" : change.path}</code>
          {": "}
          {change.kind === "added" && <Value value={change.after} />}
          {change.kind === "removed" && (
            <del>
              <Value value={change.before} />
            </del>
          )}
          {change.kind === "changed" && (
            <>
              <del>
                <Value value={change.before} />
              </del>
              <span aria-hidden="true"> → </span>
              <span className="visually-hidden">changed to </span>
              <ins>
                <Value value={change.after} />
              </ins>
            </>
          )}
        </li>
      ))}
    </ul>
  );
}
