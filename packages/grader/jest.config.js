// The grader's own tests. They spawn child Jest runs on the fixture exercises, so they run one
// file at a time (2 cores), with room for the robustness fixtures' time limits.
module.exports = {
  preset: "@backend-sandbox/testkit",
  testPathIgnorePatterns: ["/node_modules/", "/fixtures/"],
  testTimeout: 120_000,
  maxWorkers: 1,
};
