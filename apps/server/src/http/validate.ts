/** Request validation with zod: every failure becomes a 4xx that names each bad field. */
import { validator } from "hono/validator";
import type { z } from "zod";
import { ApiError, formatPath, invalidFields, type FieldIssue } from "../errors.js";

const jsonMediaType = /^application\/([\w.-]+\+)?json$/i;

export function issuesOf(error: { issues: readonly z.core.$ZodIssue[] }, prefix: readonly PropertyKey[] = []): FieldIssue[] {
  return error.issues.flatMap((issue): FieldIssue[] => {
    const path = [...prefix, ...issue.path];
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({ path: formatPath([...path, key]), message: "is not a known field" }));
    }
    if (issue.code === "invalid_union" && issue.errors.length > 0) {
      // Report the alternative the input got furthest into, not "invalid input" for the whole union.
      const depth = (issues: readonly z.core.$ZodIssue[]) =>
        Math.max(...issues.map((inner) => inner.path.length + (inner.code === "unrecognized_keys" ? -1 : 0)));
      const best = issue.errors.reduce((a, b) => (depth(b) > depth(a) ? b : a));
      return issuesOf({ issues: best }, path);
    }
    return [{ path: formatPath(path) || "body", message: issue.message }];
  });
}

export function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw invalidFields(issuesOf(result.error));
}

/** A JSON body. An empty body counts as `{}`, so actions without fields need no body at all. */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return validator("json", async (value, c): Promise<z.output<T>> => {
    const mediaType = (c.req.header("Content-Type") ?? "").split(";")[0]!.trim();
    if (!jsonMediaType.test(mediaType) && (await c.req.text()).trim() !== "") {
      throw new ApiError("unsupported_media_type", "Content-Type: must be application/json", [
        { path: "Content-Type", message: "must be application/json" },
      ]);
    }
    return parseOrThrow(schema, value);
  });
}

export function queryParams<T extends z.ZodType>(schema: T) {
  return validator("query", (value): z.output<T> => parseOrThrow(schema, value));
}
