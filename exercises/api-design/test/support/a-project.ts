/** A project body the API accepts. */
export const aProject = (name = "Launch the bookshop", extra: Record<string, unknown> = {}) => ({
  name,
  ...extra,
});
