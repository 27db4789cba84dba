// Adds up the per-run totals that `npm test` leaves in a folder (one JSON file per Jest run or
// verify run: {"name","passed","failed","failures"}) and prints them, with what failed, then one
// line "N passed, N failed". What failed is repeated here because CI may keep only a log's end.
// Exit 1 when a run failed or nothing ran at all, so an empty test run is never a pass.
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2] ?? ".sandbox/results";
const runs = existsSync(dir)
  ? readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")))
  : [];
let passed = 0;
let failed = 0;
for (const run of runs) {
  console.log(`  ${run.name}: ${run.passed} passed, ${run.failed} failed`);
  for (const failure of (run.failures ?? []).slice(0, 20)) console.log(`    ✗ ${failure}`);
  if ((run.failures ?? []).length > 20) console.log(`    … and ${run.failures.length - 20} more`);
  passed += run.passed;
  failed += run.failed;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
