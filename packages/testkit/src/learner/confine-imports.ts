import Module, { builtinModules } from "node:module";
import path from "node:path";

/** The error code of an import the learner's code may not make. */
export const IMPORT_FORBIDDEN = "SANDBOX_IMPORT_FORBIDDEN";

/** `lodash/fp` → `lodash`, `@scope/pkg/x` → `@scope/pkg`. */
function packageName(request: string): string {
  const parts = request.split("/");
  return request.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

/**
 * From now on, a file inside `sourceDir` may import only: files inside `sourceDir`, the packages
 * named in `dependencies` (the exercise's package.json `dependencies`), and Node's built-ins.
 * Anything else throws an Error with code SANDBOX_IMPORT_FORBIDDEN that names the import. This
 * is the friendly half of confinement; a sealed run's sandbox does not even hold the rest.
 */
export function confineImports(sourceDir: string, dependencies: readonly string[]): void {
  const root = path.resolve(sourceDir) + path.sep;
  const allowed = new Set(dependencies);
  const builtins = new Set(builtinModules);
  const internals = Module as unknown as {
    _resolveFilename(
      request: string,
      parent: { filename?: string } | undefined,
      ...rest: unknown[]
    ): string;
  };
  const resolve = internals._resolveFilename;
  internals._resolveFilename = function (request, parent, ...rest) {
    const from = parent?.filename;
    if (!from || !from.startsWith(root)) return resolve.call(this, request, parent, ...rest);
    const forbidden = (why: string) =>
      Object.assign(
        new Error(
          `import "${request}" in ${path.relative(root, from)}: ${why}. The code under test may import its own ` +
            `src/ files, the exercise's dependencies (${[...allowed].join(", ") || "none"}) and Node's built-ins.`,
        ),
        { code: IMPORT_FORBIDDEN },
      );
    if (request.startsWith("node:") || builtins.has(request))
      return resolve.call(this, request, parent, ...rest);
    if (request.startsWith(".") || path.isAbsolute(request)) {
      const target = path.resolve(path.dirname(from), request);
      if (!(target + path.sep).startsWith(root) && !target.startsWith(root))
        throw forbidden("it leaves src/");
      return resolve.call(this, request, parent, ...rest);
    }
    if (!allowed.has(packageName(request)))
      throw forbidden("it is not a dependency of the exercise");
    return resolve.call(this, request, parent, ...rest);
  };
}
