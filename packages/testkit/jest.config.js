module.exports = { preset: "./jest-preset.js", testTimeout: 120000, maxWorkers: 2 };
