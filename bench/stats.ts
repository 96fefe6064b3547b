// Figures over repeated runs: the median, with the spread (lowest and highest) beside it.

export interface Spread {
  median: number;
  min: number;
  max: number;
  runs: number[];
}

export function spreadOf(values: number[], digits = 2): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10 ** digits) / 10 ** digits;
  // The lower median for an even count: no figure is made up between two runs.
  return { median: round(sorted[Math.floor((sorted.length - 1) / 2)]), min: round(sorted[0]), max: round(sorted[sorted.length - 1]), runs: values.map(round) };
}

/** "12.3 (10.1-14.2)": a median and its spread, for a summary line. */
export function show(spread: Spread, unit = ''): string {
  return `${spread.median}${unit} (${spread.min}-${spread.max})`;
}
