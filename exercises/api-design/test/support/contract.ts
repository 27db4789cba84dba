// Checks replies against the OpenAPI 3.1 document the API serves. OpenAPI 3.1 schemas are
// JSON Schema 2020-12, so Ajv2020 validates them; formats are not checked.
import Ajv2020 from "ajv/dist/2020";
import type { ApiReply } from "./api-client";

const BASE = "https://contract.test/openapi.json";
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

export class Contract {
  private readonly ajv = new Ajv2020({
    strict: false,
    allErrors: true,
    validateFormats: false,
    validateSchema: false,
  });
  private readonly paths: { template: string; pattern: RegExp }[];

  constructor(readonly doc: any) {
    this.ajv.addSchema(doc, BASE);
    this.paths = Object.keys(doc.paths ?? {}).map((template) => ({
      template,
      pattern: new RegExp(
        `^${template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}]+\}/g, "[^/]+")}$`,
      ),
    }));
  }

  /** The operation object for a method and path, or undefined when the document has none. */
  operation(method: string, path: string): { pointer: string; op: any } | undefined {
    const pathname = new URL(path, "http://x").pathname;
    const found = this.paths.find((p) => p.pattern.test(pathname));
    const verb = method.toLowerCase() === "head" ? "get" : method.toLowerCase();
    const op = found && METHODS.includes(verb) ? this.doc.paths[found.template]?.[verb] : undefined;
    return op ? { pointer: `/paths/${escape(found!.template)}/${verb}`, op } : undefined;
  }

  /** What is wrong with this reply according to the document; [] when it conforms. */
  violations(reply: ApiReply): string[] {
    const where = `${reply.method} ${reply.path} -> ${reply.status}`;
    const found = this.operation(reply.method, reply.path);
    if (!found)
      return [`${where}: the document has no operation for ${reply.method} ${reply.path}`];
    const code = [String(reply.status), `${String(reply.status)[0]}XX`, "default"].find(
      (c) => found.op.responses?.[c],
    );
    if (!code)
      return [
        `${where}: status ${reply.status} is not documented (nor ${String(reply.status)[0]}XX nor default)`,
      ];
    const [response, pointer] = this.deref(
      found.op.responses[code],
      `${found.pointer}/responses/${escape(code)}`,
    );
    const problems: string[] = [];

    for (const [name, declared] of Object.entries<any>(response.headers ?? {})) {
      const [header, headerPointer] = this.deref(declared, `${pointer}/headers/${escape(name)}`);
      const value = reply.headers.get(name);
      if (value === null) {
        if (header.required) problems.push(`${where}: required header ${name} is missing`);
      } else if (header.schema) {
        this.validate(`${headerPointer}/schema`, value, problems, `${where}: header ${name}`);
      }
    }
    if (reply.method === "HEAD" || reply.text === "") return problems;
    const mediaType = (reply.headers.get("content-type") ?? "").split(";")[0]!.trim();
    if (!response.content?.[mediaType]) {
      problems.push(`${where}: a ${mediaType || "untyped"} body is not documented for ${code}`);
    } else if (response.content[mediaType].schema) {
      this.validate(
        `${pointer}/content/${escape(mediaType)}/schema`,
        reply.body ?? reply.text,
        problems,
        `${where}: body`,
      );
    }
    return problems;
  }

  private validate(pointer: string, value: unknown, problems: string[], what: string): boolean {
    const validate = this.ajv.getSchema(`${BASE}#${pointer}`);
    if (!validate)
      return (problems.push(`${what}: the schema at #${pointer} does not compile`), false);
    if (validate(value)) return true;
    const errors = (validate.errors ?? [])
      .map((e) => `${e.instancePath || "(root)"} ${e.message}`)
      .slice(0, 5);
    problems.push(`${what} does not match the schema at #${pointer}: ${errors.join("; ")}`);
    return false;
  }

  /** Follows local $refs of non-schema objects (responses, headers), tracking the pointer. */
  private deref(node: any, pointer: string, depth = 0): [any, string] {
    const ref = node?.$ref;
    if (typeof ref !== "string" || !ref.startsWith("#/") || depth > 10)
      return [node ?? {}, pointer];
    const target = ref
      .slice(2)
      .split("/")
      .reduce((at: any, part) => at?.[unescape(part)], this.doc);
    return this.deref(target, ref.slice(1), depth + 1);
  }
}

// JSON Pointer tokens (RFC 6901), percent-encoded for use in a URI fragment.
const escape = (part: string) => encodeURIComponent(part.replace(/~/g, "~0").replace(/\//g, "~1"));
const unescape = (part: string) => decodeURIComponent(part).replace(/~1/g, "/").replace(/~0/g, "~");
