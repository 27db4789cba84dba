/**
 * A public quotes API is being scraped. It runs as several instances behind a load balancer, so
 * the limit lives in Redis and holds across all of them: each client (its X-API-Key, else its IP)
 * gets its own budget. This file is given; your work starts in rate-limiter.ts.
 * Do not change the exported names or signatures: the tests use them.
 */
import express, { type Express } from "express";
import { createRateLimiter } from "./rate-limiter";
import type { AppOptions } from "./types";

export type { Algorithm, AppOptions, Policy } from "./types";

const QUOTES = [
  {
    id: 1,
    text: "Simple things should be simple, complex things should be possible.",
    author: "Alan Kay",
  },
  { id: 2, text: "Make it work, make it right, make it fast.", author: "Kent Beck" },
  { id: 3, text: "There is no silver bullet.", author: "Fred Brooks" },
];

/** One app instance: the rate limiter in front of every route. */
export function createApp(options: AppOptions): Express {
  const app = express();
  app.use(createRateLimiter(options));
  app.get("/quotes/random", (_req, res) => {
    res.json(QUOTES[Math.floor(Math.random() * QUOTES.length)]);
  });
  return app;
}
