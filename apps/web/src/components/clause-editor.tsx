/** One targeting condition (a clause): attribute, operator and values, checked as they are typed. */
import { useId } from "react";
import { findSegmentProblems, type Clause, type ClauseValue, type Operator, type SegmentView } from "@switchyard/core";
import { AttributeInput } from "./attribute-input";
import { ChipInput, type Parsed } from "./chip-input";
import { FieldError, hasIssues } from "./feedback";
import "./editors.css";

/** What an operator compares against: it decides how typed values are parsed and checked. */
type Operand = "text" | "regex" | "number" | "semver" | "date" | "none" | "segment";

/**
 * Every operator of the model, in the order the select lists them. Keyed by `Operator`, so an
 * operator added to the core's schema fails to compile here until it has a label.
 */
const OPERATORS: Record<Operator, { label: string; operand: Operand; group: string; ignoresCase?: true }> = {
  in: { label: "is one of", operand: "text", group: "Text", ignoresCase: true },
  notIn: { label: "is not one of", operand: "text", group: "Text", ignoresCase: true },
  contains: { label: "contains", operand: "text", group: "Text", ignoresCase: true },
  startsWith: { label: "starts with", operand: "text", group: "Text", ignoresCase: true },
  endsWith: { label: "ends with", operand: "text", group: "Text", ignoresCase: true },
  matches: { label: "matches regex", operand: "regex", group: "Text", ignoresCase: true },
  lt: { label: "< less than", operand: "number", group: "Numbers" },
  lte: { label: "≤ at most", operand: "number", group: "Numbers" },
  gt: { label: "> greater than", operand: "number", group: "Numbers" },
  gte: { label: "≥ at least", operand: "number", group: "Numbers" },
  semverEq: { label: "semver =", operand: "semver", group: "Versions" },
  semverLt: { label: "semver <", operand: "semver", group: "Versions" },
  semverGt: { label: "semver >", operand: "semver", group: "Versions" },
  before: { label: "before", operand: "date", group: "Dates" },
  after: { label: "after", operand: "date", group: "Dates" },
  exists: { label: "exists", operand: "none", group: "Other" },
  inSegment: { label: "in segment", operand: "segment", group: "Other" },
};

const OPERATOR_GROUPS = Object.entries(OPERATORS).reduce<Map<string, Operator[]>>((groups, [op, meta]) => {
  groups.set(meta.group, [...(groups.get(meta.group) ?? []), op as Operator]);
  return groups;
}, new Map());

export function operatorLabel(op: Operator): string {
  return OPERATORS[op]?.label ?? op;
}

const VALUE_HINTS: Record<Operand, string> = {
  text: "Type a value and press Enter or comma; paste a comma-separated list to add many.",
  regex: "One regular expression per value; press Enter to add (commas stay part of the pattern).",
  number: "Numbers, such as 18 or 2.5; press Enter or comma to add.",
  semver: "Versions, such as 2.4.0 or v3.1; press Enter or comma to add.",
  date: "ISO-8601 dates (2025-01-31 or 2025-01-31T09:00:00Z) or epoch milliseconds.",
  none: "",
  segment: "",
};

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The core's own check of one value for an operator, so the editor and the server never disagree. */
function valueProblem(op: Operator, value: ClauseValue): string | undefined {
  if (OPERATORS[op].operand === "segment" || OPERATORS[op].operand === "none") return undefined;
  const clause: Clause = { attribute: "attribute", op, values: [value], negate: false, caseInsensitive: false };
  const [problem] = findSegmentProblems({ key: "check", included: [], excluded: [], clauses: [clause], version: 1 });
  return problem?.message.replace(/ for \w+$/, "");
}

/** Turns typed text into a clause value of the operator's type, or says why it cannot. */
export function parseClauseInput(op: Operator, text: string): Parsed<ClauseValue> {
  const operand = OPERATORS[op].operand;
  let value: ClauseValue = text;
  if (operand === "number") {
    if (!DECIMAL.test(text) || !Number.isFinite(Number(text))) return { error: `“${text}” is not a number` };
    value = Number(text);
  } else if (operand === "date" && /^\d+$/.test(text)) {
    value = Number(text);
  }
  const problem = valueProblem(op, value);
  return problem === undefined ? { value } : { error: `“${text}” ${problem}` };
}

/** Values carried over to a new operator, converted where the new one wants another type. */
function valuesForOperator(clause: Clause, op: Operator): ClauseValue[] {
  const from = OPERATORS[clause.op]?.operand;
  const to = OPERATORS[op].operand;
  if (to === "none" || from === "segment" || to === "segment") return [];
  if (to === "number") return clause.values.map((v) => (typeof v === "string" && DECIMAL.test(v) ? Number(v) : v));
  if (to === "text" || to === "regex" || to === "semver") return clause.values.map((v) => (typeof v === "number" ? String(v) : v));
  return clause.values;
}

function displayValue(value: ClauseValue, operand: Operand): string {
  if (operand === "date" && typeof value === "number") return `${value} (${new Date(value).toISOString()})`;
  return String(value);
}

export function emptyClause(): Clause {
  return { attribute: "key", op: "in", values: [], negate: false, caseInsensitive: false };
}

/**
 * Editor for one clause. `segments` lists the environment's segments for `inSegment`; pass null
 * inside a segment, where conditions cannot reference segments. `path` names the clause in the
 * server's errors, such as `rules[0].clauses[1]`.
 */
export function ClauseEditor({
  clause,
  onChange,
  segments,
  disabled,
  error: errors,
  path,
  label = "Condition",
}: {
  clause: Clause;
  onChange(clause: Clause): void;
  segments: SegmentView[] | null;
  disabled: boolean;
  error: unknown;
  path: string;
  label?: string;
}) {
  const id = useId();
  const meta = OPERATORS[clause.op] ?? OPERATORS.in;
  const invalid = (field: string) => hasIssues(errors, `${path}.${field}`);

  function changeOperator(op: Operator) {
    const attribute = OPERATORS[op].operand === "segment" && clause.attribute.trim() === "" ? "key" : clause.attribute;
    onChange({ ...clause, op, attribute, values: valuesForOperator(clause, op), caseInsensitive: OPERATORS[op].ignoresCase ? clause.caseInsensitive : false });
  }

  return (
    <div className="clause" role="group" aria-label={label}>
      <div className="clause-fields">
        {meta.operand !== "segment" && (
          <div className="clause-attribute">
            <label htmlFor={`${id}-attribute`}>Attribute</label>
            <AttributeInput
              id={`${id}-attribute`}
              value={clause.attribute}
              onChange={(e) => onChange({ ...clause, attribute: e.target.value })}
              disabled={disabled}
              aria-invalid={invalid("attribute") || clause.attribute.trim() === "" || undefined}
            />
            {clause.attribute.trim() === "" && <p className="field-error">Name the context attribute to test.</p>}
            <FieldError error={errors} path={`${path}.attribute`} />
          </div>
        )}
        <div className="clause-operator">
          <label htmlFor={`${id}-op`}>Operator</label>
          <select id={`${id}-op`} value={clause.op} onChange={(e) => changeOperator(e.target.value as Operator)} disabled={disabled} aria-invalid={invalid("op") || undefined}>
            {[...OPERATOR_GROUPS].map(([group, ops]) => (
              <optgroup key={group} label={group}>
                {ops
                  .filter((op) => segments !== null || op !== "inSegment" || clause.op === "inSegment")
                  .map((op) => (
                    <option key={op} value={op}>
                      {OPERATORS[op].label}
                    </option>
                  ))}
              </optgroup>
            ))}
          </select>
          <FieldError error={errors} path={`${path}.op`} />
        </div>
        {meta.operand === "segment" ? (
          <SegmentPicker clause={clause} onChange={onChange} segments={segments ?? []} disabled={disabled} errors={errors} path={path} />
        ) : meta.operand !== "none" ? (
          <div className="clause-values">
            <label htmlFor={`${id}-values`}>Values</label>
            <ChipInput
              id={`${id}-values`}
              values={clause.values}
              onChange={(values) => onChange({ ...clause, values })}
              parse={(text) => parseClauseInput(clause.op, text)}
              display={(value) => displayValue(value, meta.operand)}
              problemOf={(value) => valueProblem(clause.op, value)}
              splitOnComma={meta.operand !== "regex"}
              disabled={disabled}
              invalid={invalid("values")}
              hint={VALUE_HINTS[meta.operand]}
            />
            {clause.values.length === 0 && <p className="hint">Add at least one value.</p>}
            <FieldError error={errors} path={`${path}.values`} />
          </div>
        ) : null}
      </div>
      <div className="row clause-flags">
        <label className="inline">
          <input type="checkbox" checked={clause.negate} onChange={(e) => onChange({ ...clause, negate: e.target.checked })} disabled={disabled} />
          Negate (not)
        </label>
        {meta.ignoresCase && (
          <label className="inline">
            <input type="checkbox" checked={clause.caseInsensitive} onChange={(e) => onChange({ ...clause, caseInsensitive: e.target.checked })} disabled={disabled} />
            Ignore case
          </label>
        )}
      </div>
      <FieldError error={errors} path={path} except={[`${path}.attribute`, `${path}.op`, `${path}.values`]} />
    </div>
  );
}

function SegmentPicker({
  clause,
  onChange,
  segments,
  disabled,
  errors,
  path,
}: {
  clause: Clause;
  onChange(clause: Clause): void;
  segments: SegmentView[];
  disabled: boolean;
  errors: unknown;
  path: string;
}) {
  const chosen = new Set(clause.values.map(String));
  // A segment deleted since the rule was written still shows, so it can be unticked.
  const missing = [...chosen].filter((key) => !segments.some((segment) => segment.key === key));
  const toggle = (key: string, on: boolean) =>
    onChange({ ...clause, values: on ? [...clause.values, key] : clause.values.filter((value) => String(value) !== key) });
  return (
    <fieldset className="clause-values segment-picker">
      <legend>Segments (any of)</legend>
      {segments.length === 0 && missing.length === 0 && <p className="hint">This environment has no segments yet: create them on the Segments page.</p>}
      <ul>
        {segments.map((segment) => (
          <li key={segment.key}>
            <label className="inline">
              <input type="checkbox" checked={chosen.has(segment.key)} onChange={(e) => toggle(segment.key, e.target.checked)} disabled={disabled} />
              <span>
                {segment.name && segment.name !== segment.key ? `${segment.name} ` : ""}
                <code>{segment.key}</code>
              </span>
            </label>
          </li>
        ))}
        {missing.map((key) => (
          <li key={key}>
            <label className="inline">
              <input type="checkbox" checked onChange={() => toggle(key, false)} disabled={disabled} />
              <span>
                <code>{key}</code> <span className="field-error">(no such segment)</span>
              </span>
            </label>
          </li>
        ))}
      </ul>
      <FieldError error={errors} path={`${path}.values`} />
    </fieldset>
  );
}
