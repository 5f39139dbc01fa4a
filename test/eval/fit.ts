/**
 * Logistic regression by batch gradient descent on standardised features (L2 1e-3), returned in
 * the original feature scale so the constants can be used directly.
 */
export function fitLogistic(x: number[][], y: number[], opts: { iterations?: number; rate?: number; l2?: number } = {}) {
  const n = x.length;
  const d = x[0]?.length ?? 0;
  const mu = Array.from({ length: d }, (_, j) => x.reduce((s, r) => s + r[j]!, 0) / n);
  const sd = Array.from({ length: d }, (_, j) => Math.sqrt(x.reduce((s, r) => s + (r[j]! - mu[j]!) ** 2, 0) / n) || 1);
  const z = x.map((r) => r.map((v, j) => (v - mu[j]!) / sd[j]!));
  let w = new Array(d).fill(0);
  let b = 0;
  const rate = opts.rate ?? 0.5;
  const l2 = opts.l2 ?? 1e-3;
  for (let it = 0; it < (opts.iterations ?? 3000); it++) {
    const gw = new Array(d).fill(0);
    let gb = 0;
    for (let i = 0; i < n; i++) {
      const p = 1 / (1 + Math.exp(-(b + z[i]!.reduce((s, v, j) => s + v * w[j], 0))));
      const e = p - y[i]!;
      gb += e;
      for (let j = 0; j < d; j++) gw[j] += e * z[i]![j]!;
    }
    w = w.map((wj, j) => wj - rate * (gw[j] / n + l2 * wj));
    b -= rate * (gb / n);
  }
  const coef = w.map((wj, j) => wj / sd[j]!);
  const intercept = b - coef.reduce((s, c, j) => s + c * mu[j]!, 0);
  return { intercept, coef };
}

/**
 * The hand-off threshold: the lowest one that hands off at least `minOos` of the out-of-scope
 * queries (default 85%, a margin over the product goal of 80%), or, when no
 * threshold reaches that, the one maximising Youden's J = OOS share - in-scope share.
 */
export function pickThreshold(oos: number[], inScope: number[], minOos = 0.85) {
  let best = { threshold: 0.5, j: -Infinity, oosShare: 0, inShare: 0, rule: 'youden' as 'youden' | 'min-oos' };
  for (let t = 0.005; t < 1; t += 0.005) {
    const oosShare = oos.filter((c) => c < t).length / oos.length;
    const inShare = inScope.filter((c) => c < t).length / inScope.length;
    if (oosShare >= minOos) return { threshold: t, j: oosShare - inShare, oosShare, inShare, rule: 'min-oos' as const };
    if (oosShare - inShare > best.j) best = { threshold: t, j: oosShare - inShare, oosShare, inShare, rule: 'youden' };
  }
  return best;
}
