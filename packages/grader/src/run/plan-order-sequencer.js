// Jest's test sequencer for runs that bail (run-plan.ts): the files in the order the plan lists
// them (jest-config.ts writes one `testRegex` per file, the plan's first files first), and in path
// order when it lists none. Jest's own sequencer puts first the files that failed last time, then
// the slowest, from its cache; verify shares that cache between its gradings, so which file of a
// wrong solution's run failed first, and so the one that stopped it, would depend on what was
// graded before.
"use strict";
const Sequencer = require("@jest/test-sequencer").default;

class PlanOrderSequencer extends Sequencer {
  /** @param {Array<{ path: string, context: { config: { testRegex: Array<string | RegExp> } } }>} tests */
  sort(tests) {
    // Each file's place in the plan, found once: one `testRegex` per file, tried in order.
    const rank = new Map(
      tests.map((test) => {
        const place = test.context.config.testRegex.findIndex((regex) =>
          new RegExp(regex).test(test.path),
        );
        return [test, place === -1 ? Infinity : place];
      }),
    );
    const byPath = (a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
    return [...tests].sort((a, b) => rank.get(a) - rank.get(b) || byPath(a, b));
  }
}

module.exports = PlanOrderSequencer;
