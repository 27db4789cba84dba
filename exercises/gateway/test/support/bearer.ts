/** The request headers that present `token` (RFC 6750 §2.1). */
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
