/** Suggests the valid names nearest to a mistyped one, so `sandbox grade rate-limitng` can say what was meant. */
export function closestNames(wanted: string, valid: readonly string[], max = 3): string[] {
  const scored = valid
    .map((name) => ({ name, distance: editDistance(wanted.toLowerCase(), name.toLowerCase()) }))
    .filter(
      ({ name, distance }) =>
        distance <= Math.max(2, Math.floor(name.length / 2)) ||
        name.includes(wanted) ||
        wanted.includes(name),
    )
    .sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name));
  return scored.slice(0, max).map(({ name }) => name);
}

/** "did you mean a, b?" or, when nothing is close, every valid name (lists here are short). */
export function suggestion(wanted: string, valid: readonly string[]): string {
  if (valid.length === 0) return "there are none";
  const close = closestNames(wanted, valid);
  return close.length > 0 ? `did you mean ${close.join(", ")}?` : `valid: ${valid.join(", ")}`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}
