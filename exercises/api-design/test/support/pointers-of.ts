import type { HttpReply } from "@backend-sandbox/testkit";

/** The JSON Pointers a 422 names, e.g. ["#/name", "#/tags/2"], sorted. */
export const pointersOf = (reply: HttpReply): string[] =>
  Array.isArray(reply.body?.errors)
    ? reply.body.errors.map((e: { pointer?: unknown }) => String(e.pointer)).sort()
    : [];
