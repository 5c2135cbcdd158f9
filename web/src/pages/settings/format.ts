/** A timestamp in the reader's locale; "never" for none (a key never used, a key without expiry). */
export const when = (iso: string | null | undefined): string => (iso ? new Date(iso).toLocaleString() : "never");
