import { existsSync, readFileSync } from "node:fs";

/**
 * Reads `.meta/hints.md`: a `## <stage-id>` section per stage, each a list from a gentle nudge to
 * the named technique. Returns stage id → hints in order.
 */
export function readHints(file: string): Map<string, string[]> {
  const hints = new Map<string, string[]>();
  if (!existsSync(file)) return hints;
  let current: string[] | undefined;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const heading = /^##\s+(\S+)\s*$/.exec(line);
    if (heading) {
      current = [];
      hints.set(heading[1]!, current);
      continue;
    }
    if (!current) continue;
    const item = /^\s*(?:[-*]|\d+\.)\s+(.*)$/.exec(line);
    if (item) current.push(item[1]!.trim());
    else if (line.trim() && current.length > 0 && /^\s+/.test(line))
      current[current.length - 1] += ` ${line.trim()}`;
  }
  return hints;
}
