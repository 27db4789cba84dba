/**
 * The values that cross between the test process and the learner's process: JSON, with tagged
 * objects (`{"$": tag, ...}`) for what JSON lacks. Both sides use this file, so a host for another
 * language would implement the same tags (docs/architecture.md, "The learner's process").
 *
 * Tags: `undefined`, `bigint` (v: decimal string), `date` (v: ISO 8601), `buffer` (v: base64),
 * `error` (name, message, code?, stack?, fields), `object` (v: a plain object that itself has a
 * `$` key), `ref` (a live object or function left on the side that made it: ref, kind, methods,
 * fields), `callback` (a function of the test process the learner's process may call: id), and
 * stand-ins that the learner's process builds on its own side: `redis`, `pgPool`, `clock`.
 */
export type Encoded = unknown;

/** What `encode` does with a value JSON cannot carry: return a tagged object, or undefined to fall through. */
export type Replacer = (value: unknown) => Encoded | undefined;
/** What `decode` does with a tagged object the codec does not know. */
export type Reviver = (tagged: Record<string, unknown>) => unknown;

/** Whether `value` is data the codec carries as is: a plain object, array, Date, Buffer or Error. */
export function isData(value: object): boolean {
  return (
    isPlainObject(value) ||
    Array.isArray(value) ||
    value instanceof Date ||
    value instanceof Uint8Array ||
    value instanceof Error
  );
}

/** The names of an object's methods, own and inherited (not Object's or Function's). */
export function methodNames(value: object): string[] {
  const names = new Set<string>();
  for (
    let o: object | null = value;
    o && o !== Object.prototype && o !== Function.prototype;
    o = Object.getPrototypeOf(o)
  )
    for (const name of Object.getOwnPropertyNames(o))
      if (name !== "constructor" && typeof (value as Record<string, unknown>)[name] === "function")
        names.add(name);
  return [...names];
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A JSON-ready copy of `value`; `replace` decides for functions and class instances first. */
export function encode(value: unknown, replace: Replacer, seen = new Set<object>()): Encoded {
  if (value === undefined) return { $: "undefined" };
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number")
    return Number.isFinite(value) ? value : { $: "number", v: String(value) };
  if (typeof value === "bigint") return { $: "bigint", v: value.toString() };
  if (typeof value === "symbol") return { $: "undefined" };
  const replaced = replace(value);
  if (replaced !== undefined) return replaced;
  if (typeof value === "function")
    throw new TypeError("a function cannot cross to the other process here");
  const object = value as object;
  if (seen.has(object))
    throw new TypeError("a value with a cycle cannot cross to the other process");
  seen.add(object);
  try {
    if (Array.isArray(object)) return object.map((item) => encode(item, replace, seen));
    if (object instanceof Date) return { $: "date", v: object.toISOString() };
    if (Buffer.isBuffer(object) || object instanceof Uint8Array)
      return { $: "buffer", v: Buffer.from(object as Uint8Array).toString("base64") };
    if (object instanceof Error) return encodeError(object, replace, seen);
    const fields: Record<string, Encoded> = {};
    for (const [key, item] of Object.entries(object)) {
      if (typeof item === "function" && !isPlainObject(object)) continue;
      fields[key] = encode(item, replace, seen);
    }
    return "$" in fields ? { $: "object", v: fields } : fields;
  } finally {
    seen.delete(object);
  }
}

function encodeError(error: Error, replace: Replacer, seen: Set<object>): Encoded {
  const fields: Record<string, Encoded> = {};
  for (const [key, item] of Object.entries(error)) {
    if (typeof item === "function") continue;
    try {
      fields[key] = encode(item, replace, seen);
    } catch {
      fields[key] = String(item);
    }
  }
  // `cause` (ES2022) and an AggregateError's `errors` are own but not enumerable: carried too.
  for (const key of ["cause", "errors"] as const)
    if (Object.prototype.hasOwnProperty.call(error, key) && !(key in fields)) {
      try {
        fields[key] = encode((error as unknown as Record<string, unknown>)[key], replace, seen);
      } catch {
        fields[key] = String((error as unknown as Record<string, unknown>)[key]);
      }
    }
  return {
    $: "error",
    name: error.name,
    constructorName: error.constructor?.name,
    message: error.message,
    stack: error.stack,
    fields,
  };
}

/**
 * An Error rebuilt from its `error` tag: the same name, message and own fields (`code`, `status`,
 * ...), and the other side's stack, so `instanceof` gives way to `name`/`code` checks.
 */
export class RemoteError extends Error {
  constructor(tagged: Record<string, unknown>) {
    super(String(tagged.message ?? ""));
    this.name = String(tagged.name ?? "Error");
    Object.defineProperty(this, "constructorName", {
      value: tagged.constructorName,
      enumerable: false,
    });
    if (typeof tagged.stack === "string") this.stack = tagged.stack;
  }
}

/** The value `encode` made, back; `revive` builds refs, callbacks and stand-ins. */
export function decode(value: Encoded, revive: Reviver): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item) => decode(item, revive));
  const tagged = value as Record<string, unknown>;
  switch (tagged.$) {
    case undefined:
      return Object.fromEntries(Object.entries(tagged).map(([k, v]) => [k, decode(v, revive)]));
    case "undefined":
      return undefined;
    case "number":
      return Number(tagged.v);
    case "bigint":
      return BigInt(String(tagged.v));
    case "date":
      return new Date(String(tagged.v));
    case "buffer":
      return Buffer.from(String(tagged.v), "base64");
    case "object":
      return Object.fromEntries(
        Object.entries(tagged.v as object).map(([k, v]) => [k, decode(v, revive)]),
      );
    case "error": {
      const error = new RemoteError(tagged);
      for (const [key, item] of Object.entries((tagged.fields as object) ?? {}))
        (error as unknown as Record<string, unknown>)[key] = decode(item, revive);
      return error;
    }
    default:
      return revive(tagged);
  }
}
