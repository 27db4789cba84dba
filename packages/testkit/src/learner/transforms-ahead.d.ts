// Types of transforms-ahead.js, which stays plain CommonJS: the learner's process loads it before tsx.

/** Set in a learner's process: the folder of the transforms made ahead for its run. */
export declare const TRANSFORMS_AHEAD_ENV: "SANDBOX_LEARNER_TRANSFORMS";

/** The name a transform is kept under: SHA-256 (hex) of the file's base name and its text, `.js`. */
export declare function transformName(filename: string, text: string): string;

/** Has `.ts` files load from `dir` when their transform is there, through tsx's loader when not. */
export declare function loadTransformsAhead(dir: string): void;
