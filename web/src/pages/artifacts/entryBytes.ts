// The first bytes of a file through its presigned GET: one ranged request, read no further than
// `cap` even where the store ignores Range and sends the whole object.

export interface Head {
  bytes: Uint8Array;
  /** The file goes on past the bytes read. */
  truncated: boolean;
}

export async function fetchHead(url: string, cap: number, size: number | null | undefined): Promise<Head> {
  // No cookies: a presigned URL carries its own authority, and the lake may be another origin.
  const res = await fetch(url, { headers: { Range: `bytes=0-${cap - 1}` }, credentials: "omit" });
  if (!res.ok) throw new Error(`the file could not be read (${res.status})`);
  const reader = res.body?.getReader();
  if (!reader) return { bytes: new Uint8Array(), truncated: (size ?? 0) > 0 };
  const chunks: Uint8Array[] = [];
  let got = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    got += value.length;
    if (got >= cap) {
      await reader.cancel();
      break;
    }
  }
  const bytes = new Uint8Array(Math.min(got, cap));
  let at = 0;
  for (const c of chunks) {
    const part = c.subarray(0, Math.min(c.length, bytes.length - at));
    bytes.set(part, at);
    at += part.length;
    if (at >= bytes.length) break;
  }
  return { bytes, truncated: size != null ? size > bytes.length : got >= cap };
}
