import type { ProductFields } from "./product";

type Check = (value: unknown) => boolean;
const CHECKS: Record<keyof ProductFields, [Check, string]> = {
  name: [
    (v) => typeof v === "string" && v.trim().length > 0 && v.length <= 200,
    "name must be a non-empty string of at most 200 characters",
  ],
  category: [
    (v) => typeof v === "string" && /^[a-z0-9-]{1,32}$/.test(v),
    "category must match [a-z0-9-]{1,32}",
  ],
  priceCents: [
    (v) => Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= 2_147_483_647,
    "priceCents must be an integer from 0 to 2147483647",
  ],
};

/**
 * The writable fields of a request body, or why it cannot be written (422). "all" is PUT (a full
 * replacement), "some" is PATCH (at least one field). Other members (id, version) are ignored.
 */
export function readFields(body: unknown, need: "all" | "some"): Partial<ProductFields> | string {
  const notAnObject = "the body must be a JSON object";
  // Stryker disable next-line ConditionalExpression: a string, number or boolean body has no name, category or priceCents member, so it gets "... is required" or "nothing to change": the same 422 (the always-true variant, which refuses every body, is caught but shares the line)
  if (typeof body !== "object") return notAnObject;
  if (body === null || Array.isArray(body)) return notAnObject;
  const fields: Record<string, unknown> = {};
  for (const [name, [check, rule]] of Object.entries(CHECKS)) {
    const value = (body as Record<string, unknown>)[name];
    if (value === undefined) {
      if (need === "all") return `${name} is required`;
      continue;
    }
    if (!check(value)) return rule;
    fields[name] = value;
  }
  if (Object.keys(fields).length === 0) return "nothing to change";
  return fields as Partial<ProductFields>;
}
