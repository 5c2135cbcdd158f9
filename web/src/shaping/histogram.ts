/** Equal-width bins over the finite values; one bin when all values are equal. */
export function histogram(values: readonly number[], bins = 20): { x0: number[]; x1: number[]; count: number[] } {
  const v = values.filter(Number.isFinite);
  if (v.length === 0) return { x0: [], x1: [], count: [] };
  let min = Infinity;
  let max = -Infinity;
  for (const n of v) {
    if (n < min) min = n;
    if (n > max) max = n;
  }
  const k = min === max ? 1 : Math.max(1, Math.floor(bins));
  const w = min === max ? 1 : (max - min) / k;
  const count = new Array<number>(k).fill(0);
  for (const n of v) count[Math.min(k - 1, Math.floor((n - min) / w))]++;
  const x0 = count.map((_, i) => min + i * w);
  return { x0, x1: x0.map((a) => a + w), count };
}
