/**
 * The "Create flag" form: checks keys, variants and tags as they are typed with the server's
 * rules, shows what the server still refuses next to the field it names, and opens the new flag.
 */
import { useId, useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "react-router";
import type { FlagKind, FlagView } from "@switchyard/core";
import { keyProblem } from "@switchyard/core";
import type { CreateFlagInput } from "@switchyard/core/api-schema";
import { api, enc } from "../api";
import { Dialog, DialogActions } from "../components/dialog";
import { ErrorNote, FieldError, hasIssues, unclaimed } from "../components/feedback";
import { flagListQuery, keys } from "../queries";
import { parseVariantValue } from "../variants";
import "./flags.css";

interface VariantDraft {
  key: string;
  value: string;
}

/** Comma-separated tags, each checked with the key rule. */
export function parseTags(text: string): { tags: string[]; error: string | null } {
  const tags = [...new Set(text.split(",").map((tag) => tag.trim()).filter((tag) => tag !== ""))];
  const bad = tags.map((tag) => [tag, keyProblem(tag)] as const).find(([, problem]) => problem !== null);
  return { tags, error: bad ? `"${bad[0]}" ${bad[1]}` : null };
}

const FIELDS = ["key", "name", "description", "kind", "variants", "tags", "clientVisible"];

export function CreateFlagDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  return (
    <Dialog open={open} title="Create flag" onClose={onClose} className="create-flag-dialog">
      <CreateFlagForm onClose={onClose} />
    </Dialog>
  );
}

function CreateFlagForm({ onClose }: { onClose: () => void }) {
  const id = useId();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [key, setKey] = useState("");
  const [keyTouched, setKeyTouched] = useState(false);
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [kind, setKind] = useState<FlagKind>("boolean");
  const [variants, setVariants] = useState<VariantDraft[]>([]);
  const [tagText, setTagText] = useState("");
  const [clientVisible, setClientVisible] = useState(false);
  // Archived flags keep their keys too.
  const active = useQuery(flagListQuery(false));
  const archived = useQuery(flagListQuery(true));

  const keyIssue = keyProblem(key);
  const takenBy = [...(active.data ?? []), ...(archived.data ?? [])].find((flag) => flag.key === key);
  const tags = parseTags(tagText);
  const variantChecks = variants.map((variant, index) => ({
    keyProblem: keyProblem(variant.key) ?? (variants.findIndex((other) => other.key === variant.key) < index ? "is used twice" : null),
    parsed: kind === "boolean" ? null : parseVariantValue(kind, variant.value),
  }));
  const variantsOk = kind === "boolean" || (variants.length > 0 && variantChecks.every((check) => check.keyProblem === null && !(check.parsed && "error" in check.parsed)));

  const create = useMutation({
    mutationFn: () => {
      const body: CreateFlagInput = { key, kind, tags: tags.tags, clientVisible };
      if (name.trim() !== "") body.name = name.trim();
      if (description.trim() !== "") body.description = description;
      if (kind !== "boolean") {
        body.variants = variants.map((variant, index) => {
          const parsed = variantChecks[index]!.parsed;
          return { key: variant.key, value: parsed && "value" in parsed ? parsed.value : variant.value };
        });
      }
      return api<FlagView>("POST", "/api/v1/flags", { body });
    },
    onSuccess: (flag) => {
      queryClient.setQueryData(keys.flag(flag.key), flag);
      void queryClient.invalidateQueries({ queryKey: keys.flags });
      onClose();
      void navigate(`/flags/${enc(flag.key)}`);
    },
  });
  const serverSays = (path: string) => hasIssues(create.error, path);

  const showKeyProblem = (keyTouched || key !== "") && keyIssue !== null;
  // Why "Create flag" is disabled, in one line beside it.
  const blocker =
    keyIssue !== null || takenBy
      ? "Enter an unused, valid key."
      : !variantsOk
        ? "Give each variant a valid key and value."
        : tags.error !== null
          ? "Fix the tags."
          : null;
  const canSubmit = blocker === null && !create.isPending;

  function chooseKind(next: FlagKind) {
    setKind(next);
    if (next !== "boolean" && variants.length === 0) setVariants([{ key: "", value: "" }]);
  }

  function editVariant(index: number, change: Partial<VariantDraft>) {
    setVariants(variants.map((variant, at) => (at === index ? { ...variant, ...change } : variant)));
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (canSubmit) create.mutate();
  }

  return (
    <form onSubmit={submit} noValidate className="create-flag-form">
      <label htmlFor={`${id}-key`}>Key</label>
      <input
        id={`${id}-key`}
        className="mono"
        value={key}
        onChange={(event) => setKey(event.target.value)}
        onBlur={() => setKeyTouched(true)}
        aria-invalid={showKeyProblem || !!takenBy || serverSays("key")}
        aria-describedby={`${id}-key-help`}
        autoComplete="off"
        spellCheck={false}
        data-autofocus
        required
      />
      <div id={`${id}-key-help`} aria-live="polite">
        {showKeyProblem ? (
          <p className="field-error">Key {keyIssue}</p>
        ) : takenBy ? (
          <p className="field-error">
            Key is already taken by {takenBy.archived ? "an archived flag" : "a flag"} ({takenBy.name}).
          </p>
        ) : (
          <p className="hint">What code asks for, e.g. new-checkout. It cannot be changed later.</p>
        )}
        <FieldError error={create.error} path="key" />
      </div>

      <label htmlFor={`${id}-name`}>Name</label>
      <input id={`${id}-name`} value={name} onChange={(event) => setName(event.target.value)} placeholder={key || undefined} aria-invalid={serverSays("name")} />
      <FieldError error={create.error} path="name" />

      <label htmlFor={`${id}-description`}>Description</label>
      <textarea id={`${id}-description`} rows={2} value={description} onChange={(event) => setDescription(event.target.value)} aria-invalid={serverSays("description")} />
      <FieldError error={create.error} path="description" />

      <label htmlFor={`${id}-kind`}>Kind</label>
      <select id={`${id}-kind`} value={kind} onChange={(event) => chooseKind(event.target.value as FlagKind)}>
        <option value="boolean">Boolean (on / off)</option>
        <option value="string">String</option>
        <option value="number">Number</option>
        <option value="json">JSON</option>
      </select>
      <FieldError error={create.error} path="kind" />

      {kind !== "boolean" && (
        <fieldset className="variant-list">
          <legend>Variants</legend>
          <p className="hint">The values this flag can serve; at least one.</p>
          {variants.map((variant, index) => {
            const check = variantChecks[index]!;
            const valueError = check.parsed && "error" in check.parsed ? check.parsed.error : null;
            const keyError = variant.key !== "" ? check.keyProblem : null;
            return (
              <div className="variant-row" key={index}>
                <div>
                  <label htmlFor={`${id}-variant-${index}-key`}>Variant {index + 1} key</label>
                  <input
                    id={`${id}-variant-${index}-key`}
                    className="mono"
                    value={variant.key}
                    onChange={(event) => editVariant(index, { key: event.target.value })}
                    aria-invalid={keyError !== null || serverSays(`variants[${index}].key`)}
                    autoComplete="off"
                    spellCheck={false}
                  />
                  {keyError && <p className="field-error">Key {keyError}</p>}
                  <FieldError error={create.error} path={`variants[${index}].key`} />
                </div>
                <div>
                  <label htmlFor={`${id}-variant-${index}-value`}>Variant {index + 1} value</label>
                  {kind === "json" ? (
                    <textarea
                      id={`${id}-variant-${index}-value`}
                      className="mono"
                      rows={2}
                      value={variant.value}
                      onChange={(event) => editVariant(index, { value: event.target.value })}
                      aria-invalid={(variant.value !== "" && valueError !== null) || serverSays(`variants[${index}].value`)}
                      spellCheck={false}
                    />
                  ) : (
                    <input
                      id={`${id}-variant-${index}-value`}
                      inputMode={kind === "number" ? "decimal" : undefined}
                      value={variant.value}
                      onChange={(event) => editVariant(index, { value: event.target.value })}
                      aria-invalid={(variant.value !== "" && valueError !== null) || serverSays(`variants[${index}].value`)}
                    />
                  )}
                  {variant.value !== "" && valueError && <p className="field-error">Value {valueError}</p>}
                  <FieldError error={create.error} path={`variants[${index}].value`} />
                </div>
                <button type="button" className="variant-remove" onClick={() => setVariants(variants.filter((_, at) => at !== index))} aria-label={`Remove variant ${index + 1}`}>
                  Remove
                </button>
              </div>
            );
          })}
          {variants.length === 0 && <p className="field-error">Add at least one variant.</p>}
          <FieldError error={create.error} path="variants" except={variants.flatMap((_, index) => [`variants[${index}].key`, `variants[${index}].value`])} />
          <button type="button" onClick={() => setVariants([...variants, { key: "", value: "" }])}>
            Add variant
          </button>
        </fieldset>
      )}

      <label htmlFor={`${id}-tags`}>Tags</label>
      <input
        id={`${id}-tags`}
        value={tagText}
        onChange={(event) => setTagText(event.target.value)}
        aria-invalid={tags.error !== null || serverSays("tags")}
        aria-describedby={`${id}-tags-help`}
        autoComplete="off"
      />
      <div id={`${id}-tags-help`}>
        {tags.error ? <p className="field-error">Tag {tags.error}</p> : <p className="hint">Comma-separated, e.g. checkout, beta</p>}
      </div>
      <FieldError error={create.error} path="tags" />

      <label className="inline create-flag-visible">
        <input type="checkbox" checked={clientVisible} onChange={(event) => setClientVisible(event.target.checked)} aria-describedby={`${id}-visible-help`} />
        Visible to browser SDKs
      </label>
      <p className="hint" id={`${id}-visible-help`}>
        Client keys can then evaluate it in browsers, where anyone can read it.
      </p>
      <FieldError error={create.error} path="clientVisible" />

      <ErrorNote error={unclaimed(create.error, FIELDS)} title="The flag was not created." />

      <DialogActions note={blocker}>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={!canSubmit}>
          {create.isPending ? "Creating…" : "Create flag"}
        </button>
      </DialogActions>
    </form>
  );
}
