/** A context attribute's name: free text, with the attributes most contexts carry offered as suggestions. */
import type { InputHTMLAttributes } from "react";

const COMMON_ATTRIBUTES = ["key", "email", "country", "plan", "appVersion"];

/** An input for an attribute name; `id` also names its suggestion list. */
export function AttributeInput({ id, ...input }: { id: string } & Omit<InputHTMLAttributes<HTMLInputElement>, "id" | "list">) {
  return (
    <>
      <input id={id} list={`${id}-suggestions`} autoComplete="off" spellCheck={false} {...input} />
      <datalist id={`${id}-suggestions`}>
        {COMMON_ATTRIBUTES.map((attribute) => (
          <option key={attribute} value={attribute} />
        ))}
      </datalist>
    </>
  );
}
