// What `#src/<file>` resolves to in a test process: the code under test runs only in its own process.
throw new Error(
  "A test imported the code under test (#src) into the test process. Reach it through useLearner() " +
    "(see packages/testkit/README.md); import only types from #src (`import type`).",
);
