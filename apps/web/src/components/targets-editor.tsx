/** Individual targeting: context keys that always get a given variant, checked before any rule. */
import { useId } from "react";
import type { Target, Variant } from "@switchyard/core";
import { variantLabel } from "../variants";
import { ChipInput } from "./chip-input";
import { FieldError } from "./feedback";
import "./editors.css";

export function TargetsEditor({
  targets,
  onChange,
  variants,
  disabled,
  error: errors,
}: {
  targets: Target[];
  onChange(targets: Target[]): void;
  variants: Variant[];
  disabled: boolean;
  error: unknown;
}) {
  const id = useId();
  const keysFor = (variant: string) => targets.find((target) => target.variant === variant)?.values ?? [];
  // A target naming a variant the flag no longer has stays visible so its keys can be removed.
  const shown = [...variants.map((v) => v.key), ...targets.map((t) => t.variant).filter((key) => !variants.some((v) => v.key === key))];

  function setKeys(variant: string, values: string[]) {
    // One target per variant, in the flag's variant order; variants without keys need none.
    onChange(shown.map((key) => ({ variant: key, values: key === variant ? values : keysFor(key) })).filter((target) => target.values.length > 0));
  }

  // The evaluator checks targets in order, so a key listed twice gets the first list's variant.
  const firstOwner = new Map<string, string>();
  for (const key of shown) for (const value of keysFor(key)) if (!firstOwner.has(value)) firstOwner.set(value, key);

  return (
    <div className="targets-editor">
      {shown.map((key, index) => {
        const variant = variants.find((v) => v.key === key);
        const shadowed = keysFor(key).filter((value) => firstOwner.get(value) !== key);
        return (
          <div key={key} className="target">
            <label htmlFor={`${id}-${index}`}>
              Always serve {variant ? variantLabel(variant) : <>{key} <span className="field-error">(no such variant)</span></>} to
            </label>
            <ChipInput<string>
              id={`${id}-${index}`}
              values={keysFor(key)}
              onChange={(values) => setKeys(key, values)}
              parse={(text) => (text.length > 1024 ? { error: "A context key is at most 1024 characters" } : { value: text })}
              disabled={disabled}
              placeholder="Add a context key…"
              hint="Context keys: press Enter or comma after each; paste a list (one per line or comma-separated) to add many."
            />
            {shadowed.length > 0 && (
              <p className="note warning">
                Also listed for another variant, which wins because it comes first: {shadowed.join(", ")}
              </p>
            )}
          </div>
        );
      })}
      <FieldError error={errors} path="targets" />
    </div>
  );
}
