import type { HttpReply } from "@backend-sandbox/testkit";

/** The status of each reply, in order. */
export function statuses(replies: HttpReply[]): number[] {
  return replies.map((reply) => reply.status);
}

/** How many of the replies have `status`. */
export function countStatus(replies: HttpReply[], status: number): number {
  return replies.filter((reply) => reply.status === status).length;
}
