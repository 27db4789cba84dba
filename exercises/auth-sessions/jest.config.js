module.exports = { preset: "@backend-sandbox/testkit" };
