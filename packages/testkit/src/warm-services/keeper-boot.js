// The warm services' keeper starts here (warm-services.ts), then runs keeper-process.ts: tsx for
// the testkit's TypeScript, packages (testcontainers and its few hundred files above all) through
// Node's own loader (tsx-own-code.js). Its start is on the learner's first `npm test`'s path.
"use strict";
require("../tsx-own-code").registerTsxForOwnCode();
require("./keeper-process.ts");
