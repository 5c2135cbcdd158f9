/**
 * Exponential moving average with TensorBoard's debiasing, so the start of the curve is not
 * dragged toward zero. weight in [0, 1): 0 is no smoothing. Nulls and non-finite values pass
 * through as null and do not reset the average, so a gap does not restart the curve.
 */
export function ema(y: readonly (number | null)[], weight: number): (number | null)[] {
  if (!(weight > 0)) return y.slice();
  const w = Math.min(weight, 0.999);
  let last = 0;
  let n = 0;
  const out = new Array<number | null>(y.length);
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (v === null || !Number.isFinite(v)) {
      out[i] = null;
      continue;
    }
    last = last * w + (1 - w) * v;
    n++;
    out[i] = last / (1 - Math.pow(w, n));
  }
  return out;
}

/** For a log-scaled axis: values that cannot be drawn (<= 0) become gaps rather than errors. */
export function positiveOnly(y: readonly (number | null)[]): (number | null)[] {
  return y.map((v) => (v !== null && v > 0 ? v : null));
}
