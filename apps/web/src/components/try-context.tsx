/**
 * "What would this context get?" answered in the browser by core's `compileFlag`, the code every
 * SDK evaluates with, for the saved config and, while editing, for the unsaved one too.
 */
import { useId, useMemo, useState, type FormEvent } from "react";
import { compileFlag, type EvaluationResult, type FlagDefinition, type JsonValue, type Segment } from "@switchyard/core";

const example = JSON.stringify({ key: "user-123", country: "NL" }, null, 2);

type Parsed = { context: Record<string, JsonValue>; error?: undefined } | { context?: undefined; error: string };

export function parseContext(text: string): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { error: `Not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { error: 'The context must be a JSON object, such as {"key": "user-123"}.' };
  return { context: value as Record<string, JsonValue> };
}

/** An attribute typed in a row: JSON when it parses (42, true, ["a","b"]), otherwise text. */
export function parseAttributeValue(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}

function showAttributeValue(value: JsonValue): string {
  // Text that would read back as something else (a number, true, quotes) keeps its JSON quotes.
  return typeof value === "string" && parseAttributeValue(value) === value ? value : JSON.stringify(value);
}

export function describeReason(result: EvaluationResult): string {
  switch (result.reason) {
    case "TARGET_MATCH":
      return "individually targeted";
    case "RULE_MATCH":
      return `matched rule ${(result.ruleIndex ?? 0) + 1}`;
    case "FALLTHROUGH":
      return "no target or rule matched: everyone else";
    case "STATIC":
      return "no targeting: everyone gets this";
    case "SPLIT":
      return "no target or rule matched: everyone else's rollout";
    case "DISABLED":
      return "the flag is off in this environment";
    case "KILLED":
      return "the flag is killed in this environment";
    case "FLAG_NOT_FOUND":
      return "no such flag";
    case "ERROR":
      return `evaluation failed (${result.errorCode ?? "GENERAL"})`;
  }
}

export function TryContext({ saved, unsaved, segments }: { saved: FlagDefinition; unsaved?: FlagDefinition; segments: readonly Segment[] }) {
  const id = useId();
  const [text, setText] = useState(example);
  const parsed = parseContext(text);
  const compiledSaved = useMemo(() => compileFlag(saved, segments), [saved, segments]);
  const compiledUnsaved = useMemo(() => (unsaved ? compileFlag(unsaved, segments) : null), [unsaved, segments]);

  function setAttribute(name: string, value: JsonValue | undefined) {
    if (!parsed.context) return;
    const next = { ...parsed.context };
    if (value === undefined) delete next[name];
    else next[name] = value;
    setText(JSON.stringify(next, null, 2));
  }

  return (
    <section className="try-context" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Try a context</h3>
      <p className="hint">Evaluated in your browser by the same core as the SDKs, for the saved configuration.</p>
      <label htmlFor={`${id}-json`}>Context (JSON)</label>
      <textarea
        id={`${id}-json`}
        className="mono try-json"
        rows={6}
        spellCheck={false}
        value={text}
        onChange={(event) => setText(event.target.value)}
        aria-invalid={parsed.error !== undefined ? true : undefined}
        aria-describedby={`${id}-json-error`}
      />
      <div id={`${id}-json-error`}>
        {parsed.error !== undefined && (
          <p className="field-error" role="alert">
            {parsed.error}
          </p>
        )}
      </div>
      {parsed.context && <AttributeRows context={parsed.context} onSet={setAttribute} />}
      {parsed.context && (
        <div className="try-results">
          <Result title="Saved configuration" result={compiledSaved.evaluate(parsed.context)} />
          {compiledUnsaved && <Result title="With your unsaved changes" result={compiledUnsaved.evaluate(parsed.context)} />}
        </div>
      )}
    </section>
  );
}

function AttributeRows({ context, onSet }: { context: Record<string, JsonValue>; onSet: (name: string, value: JsonValue | undefined) => void }) {
  const id = useId();
  const [name, setName] = useState("");
  const [value, setValue] = useState("");

  function add(event: FormEvent) {
    event.preventDefault();
    if (name.trim() === "") return;
    onSet(name.trim(), parseAttributeValue(value));
    setName("");
    setValue("");
  }

  return (
    <div className="attribute-rows">
      <ul className="attribute-list" aria-label="Attributes">
        {Object.entries(context).map(([attribute, attributeValue]) => (
          <AttributeRow key={attribute} name={attribute} value={attributeValue} onSet={onSet} />
        ))}
      </ul>
      <form className="row attribute-add" onSubmit={add} aria-label="Add attribute">
        <label htmlFor={`${id}-name`} className="visually-hidden">
          Attribute name
        </label>
        <input id={`${id}-name`} placeholder="attribute" value={name} onChange={(event) => setName(event.target.value)} />
        <label htmlFor={`${id}-value`} className="visually-hidden">
          Attribute value
        </label>
        <input id={`${id}-value`} placeholder="value" value={value} onChange={(event) => setValue(event.target.value)} />
        <button type="submit" disabled={name.trim() === ""}>
          Add attribute
        </button>
      </form>
      <p className="hint">Values are read as JSON when they parse (42, true, ["a","b"]), otherwise as text.</p>
    </div>
  );
}

function AttributeRow({ name, value, onSet }: { name: string; value: JsonValue; onSet: (name: string, value: JsonValue | undefined) => void }) {
  // The text as typed while typing: "1.0" on the way to "1.05" reads as 1, and shown as 1 the 0 would vanish.
  const [typed, setTyped] = useState<string | null>(null);
  return (
    <li className="row">
      <code className="attribute-name">{name}</code>
      <input
        aria-label={`Value of ${name}`}
        value={typed ?? showAttributeValue(value)}
        onChange={(event) => {
          setTyped(event.target.value);
          onSet(name, parseAttributeValue(event.target.value));
        }}
        onBlur={() => setTyped(null)}
      />
      <button type="button" onClick={() => onSet(name, undefined)} aria-label={`Remove ${name}`}>
        Remove
      </button>
    </li>
  );
}

function Result({ title, result }: { title: string; result: EvaluationResult }) {
  return (
    <div className="try-result">
      <h4>{title}</h4>
      <dl>
        <dt>Value</dt>
        <dd>
          <code>{JSON.stringify(result.value)}</code>
        </dd>
        <dt>Variant</dt>
        <dd>{result.variant ?? "none"}</dd>
        <dt>Reason</dt>
        <dd>
          <code>{result.reason}</code> — {describeReason(result)}
        </dd>
      </dl>
    </div>
  );
}
