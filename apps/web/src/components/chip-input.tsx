/** The value-list widget of clause values, individual targets and automation scopes. */
import { useState, type ClipboardEvent, type KeyboardEvent } from "react";
import type { ClauseValue } from "@switchyard/core";
import "./editors.css";

/** Typed text as a value, or why it is not one. */
export type Parsed<T> = { value: T } | { error: string };

/**
 * A list of values as removable chips plus a text box: Enter (or a comma, unless `splitOnComma` is
 * off) adds what was typed, a pasted list adds each item, × removes one. Text that does not parse
 * stays in the box with the reason.
 */
export function ChipInput<T extends ClauseValue>({
  id,
  values,
  onChange,
  parse,
  display = String,
  problemOf,
  splitOnComma = true,
  disabled,
  invalid = false,
  hint,
  suggestions,
  placeholder = "Add a value…",
}: {
  id: string;
  values: T[];
  onChange(values: T[]): void;
  parse(text: string): Parsed<T>;
  display?: (value: T) => string;
  /** Why a value already in the list is unusable (after an operator change, say). */
  problemOf?: (value: T) => string | undefined;
  splitOnComma?: boolean;
  disabled: boolean;
  invalid?: boolean;
  hint?: string;
  /** Offered while typing (a datalist). */
  suggestions?: string[];
  placeholder?: string;
}) {
  const [text, setText] = useState("");
  const [rejection, setRejection] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState("");

  function add(raw: string) {
    const pieces = raw
      .split(splitOnComma ? /[,\n]/ : /\n/)
      .map((piece) => piece.trim())
      .filter((piece) => piece !== "");
    const added: T[] = [];
    const rejected: string[] = [];
    const reasons: string[] = [];
    for (const piece of pieces) {
      const parsed = parse(piece);
      if ("error" in parsed) {
        rejected.push(piece);
        reasons.push(parsed.error);
      } else if (!values.includes(parsed.value) && !added.includes(parsed.value)) {
        added.push(parsed.value);
      }
    }
    if (added.length > 0) {
      onChange([...values, ...added]);
      setAnnouncement(`Added ${added.map((value) => display(value)).join(", ")}`);
    }
    setText(rejected.join(splitOnComma ? ", " : "\n"));
    setRejection(reasons.length > 0 ? reasons.join("; ") : null);
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === "Enter" || (splitOnComma && event.key === ",")) {
      event.preventDefault();
      add(text);
    }
  }

  function onPaste(event: ClipboardEvent<HTMLInputElement>) {
    const pasted = event.clipboardData.getData("text");
    if (!/[\n]/.test(pasted) && !(splitOnComma && pasted.includes(","))) return;
    event.preventDefault();
    add(text + pasted);
  }

  function remove(index: number) {
    const removed = values[index]!;
    onChange(values.filter((_, i) => i !== index));
    setAnnouncement(`Removed ${display(removed)}`);
    // The × button disappears with its chip: keep focus in the widget.
    document.getElementById(id)?.focus();
  }

  const problems = values.map((value) => problemOf?.(value));
  const problemText = values
    .map((value, index) => (problems[index] ? `“${display(value)}” ${problems[index]}` : null))
    .filter((line) => line !== null)
    .join("; ");

  return (
    <div className={`chip-input${disabled ? " disabled" : ""}`}>
      {values.length > 0 && (
        <ul className="chips" aria-label="Values added">
          {values.map((value, index) => (
            <li key={`${index}:${String(value)}`} className={problems[index] ? "chip invalid" : "chip"}>
              <span className="chip-text">{display(value)}</span>
              {problems[index] && <span className="visually-hidden"> (invalid: {problems[index]})</span>}
              <button type="button" className="chip-remove" onClick={() => remove(index)} disabled={disabled} aria-label={`Remove ${display(value)}`}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <input
        id={id}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setRejection(null);
        }}
        onKeyDown={onKeyDown}
        onPaste={onPaste}
        onBlur={() => text.trim() !== "" && add(text)}
        disabled={disabled}
        aria-invalid={invalid || rejection !== null || problemText !== "" || undefined}
        aria-describedby={hint ? `${id}-problem ${id}-hint` : `${id}-problem`}
        autoComplete="off"
        spellCheck={false}
        placeholder={disabled ? "" : placeholder}
        list={suggestions ? `${id}-suggestions` : undefined}
      />
      {suggestions && (
        <datalist id={`${id}-suggestions`}>
          {suggestions.map((suggestion) => (
            <option key={suggestion} value={suggestion} />
          ))}
        </datalist>
      )}
      <div id={`${id}-problem`}>
        {rejection && (
          <p className="field-error" role="alert">
            {rejection}
          </p>
        )}
        {problemText && <p className="field-error">{problemText}</p>}
      </div>
      {hint && (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      )}
      <span className="visually-hidden" role="status" aria-live="polite">
        {announcement}
      </span>
    </div>
  );
}
