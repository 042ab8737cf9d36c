/**
 * A flag's targeting rules in one environment, evaluated top to bottom: the first rule whose
 * conditions all match decides what is served.
 */
import { useId, useRef } from "react";
import type { Rule, SegmentView, Variant } from "@switchyard/core";
import { ClauseEditor, emptyClause } from "./clause-editor";
import { FieldError } from "./feedback";
import { ServeEditor } from "./serve-editor";
import "./editors.css";

let nextKey = 0;
const freshKey = () => `rule-${++nextKey}`;

/**
 * React keys that follow rules through moves and removals (rules need not carry an id), so an
 * input keeps its focus and state while its rule changes place.
 */
function useRuleKeys(rules: Rule[]) {
  const keys = useRef<string[]>([]);
  if (keys.current.length !== rules.length) keys.current = rules.map((rule) => rule.id ?? freshKey());
  return keys;
}

export function RulesEditor({
  rules,
  onChange,
  variants,
  segments,
  disabled,
  error: errors,
}: {
  rules: Rule[];
  onChange(rules: Rule[]): void;
  variants: Variant[];
  segments: SegmentView[];
  disabled: boolean;
  error: unknown;
}) {
  const id = useId();
  const keys = useRuleKeys(rules);
  const list = useRef<HTMLOListElement>(null);

  function move(index: number, by: -1 | 1) {
    const to = index + by;
    const reordered = [...rules];
    [reordered[index], reordered[to]] = [reordered[to]!, reordered[index]!];
    const movedKeys = [...keys.current];
    [movedKeys[index], movedKeys[to]] = [movedKeys[to]!, movedKeys[index]!];
    keys.current = movedKeys;
    onChange(reordered);
    // Keep the keyboard on the moved rule: on the same button, or the other one at either end.
    requestAnimationFrame(() => {
      const buttons = list.current?.querySelectorAll<HTMLButtonElement>(`[data-rule-index="${to}"] .rule-move button`);
      const preferred = buttons?.[by === -1 ? 0 : 1];
      (preferred && !preferred.disabled ? preferred : buttons?.[by === -1 ? 1 : 0])?.focus();
    });
  }

  function remove(index: number) {
    keys.current = keys.current.filter((_, i) => i !== index);
    onChange(rules.filter((_, i) => i !== index));
  }

  function add() {
    keys.current = [...keys.current, freshKey()];
    onChange([...rules, { clauses: [emptyClause()], serve: { variant: variants[0]?.key ?? "" } }]);
  }

  const update = (index: number, rule: Rule) => onChange(rules.map((r, i) => (i === index ? rule : r)));

  return (
    <div className="rules-editor">
      {rules.length === 0 ? (
        <p className="empty">No rules: every context gets the default.</p>
      ) : (
        <ol className="rules" ref={list}>
          {rules.map((rule, index) => (
            <li key={keys.current[index]} className="rule card" data-rule-index={index} aria-labelledby={`${id}-rule-${index}`}>
              <div className="rule-header">
                <h4 id={`${id}-rule-${index}`}>Rule {index + 1}</h4>
                <div className="rule-move">
                  <button type="button" onClick={() => move(index, -1)} disabled={disabled || index === 0} aria-label={`Move rule ${index + 1} up`}>
                    ↑ <span aria-hidden="true">Up</span>
                  </button>
                  <button type="button" onClick={() => move(index, 1)} disabled={disabled || index === rules.length - 1} aria-label={`Move rule ${index + 1} down`}>
                    ↓ <span aria-hidden="true">Down</span>
                  </button>
                </div>
                <button type="button" className="remove" onClick={() => remove(index)} disabled={disabled} aria-label={`Remove rule ${index + 1}`}>
                  Remove
                </button>
              </div>
              <RuleFields rule={rule} index={index} onChange={(next) => update(index, next)} variants={variants} segments={segments} disabled={disabled} errors={errors} />
            </li>
          ))}
        </ol>
      )}
      <FieldError error={errors} path="rules" except={rules.map((_, index) => `rules[${index}]`)} />
      <button type="button" onClick={add} disabled={disabled || variants.length === 0}>
        + Add rule
      </button>
    </div>
  );
}

function RuleFields({
  rule,
  index,
  onChange,
  variants,
  segments,
  disabled,
  errors,
}: {
  rule: Rule;
  index: number;
  onChange(rule: Rule): void;
  variants: Variant[];
  segments: SegmentView[];
  disabled: boolean;
  errors: unknown;
}) {
  const id = useId();
  const path = `rules[${index}]`;
  const setClause = (at: number, clause: Rule["clauses"][number]) => onChange({ ...rule, clauses: rule.clauses.map((c, i) => (i === at ? clause : c)) });

  return (
    <>
      <label htmlFor={`${id}-description`}>Description (optional)</label>
      <input
        id={`${id}-description`}
        className="rule-description"
        value={rule.description ?? ""}
        onChange={(e) => {
          const { description: _old, ...rest } = rule;
          onChange(e.target.value === "" ? rest : { ...rule, description: e.target.value });
        }}
        disabled={disabled}
        maxLength={1000}
        placeholder="Beta testers in the Netherlands"
      />
      <FieldError error={errors} path={`${path}.description`} />
      <fieldset className="rule-clauses">
        <legend>Conditions (all must match)</legend>
        {rule.clauses.length === 0 && <p className="hint">No conditions: this rule matches every context.</p>}
        {rule.clauses.map((clause, at) => (
          <div key={at} className="rule-clause">
            {at > 0 && (
              <p className="clause-and" aria-hidden="true">
                and
              </p>
            )}
            <ClauseEditor
              clause={clause}
              onChange={(next) => setClause(at, next)}
              segments={segments}
              disabled={disabled}
              error={errors}
              path={`${path}.clauses[${at}]`}
              label={`Rule ${index + 1}, condition ${at + 1}`}
            />
            <button
              type="button"
              className="link remove-clause"
              onClick={() => onChange({ ...rule, clauses: rule.clauses.filter((_, i) => i !== at) })}
              disabled={disabled}
              aria-label={`Remove condition ${at + 1} of rule ${index + 1}`}
            >
              Remove condition
            </button>
          </div>
        ))}
        <FieldError error={errors} path={`${path}.clauses`} except={rule.clauses.map((_, at) => `${path}.clauses[${at}]`)} />
        <button type="button" onClick={() => onChange({ ...rule, clauses: [...rule.clauses, emptyClause()] })} disabled={disabled}>
          + Add condition
        </button>
      </fieldset>
      <ServeEditor serve={rule.serve} onChange={(serve) => onChange({ ...rule, serve })} variants={variants} disabled={disabled} error={errors} path={`${path}.serve`} label="Then serve" />
      <FieldError error={errors} path={path} except={[`${path}.description`, `${path}.clauses`, `${path}.serve`]} />
    </>
  );
}
