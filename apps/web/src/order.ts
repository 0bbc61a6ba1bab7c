/** Swaps a channel with its neighbour (by -1: up, 1: down); the order is the citizen's fallback order. */
export function moved(channels: readonly string[], index: number, by: -1 | 1): readonly string[] {
  const target = index + by;
  const a = channels[index];
  const b = channels[target];
  if (a === undefined || b === undefined) return channels;
  const next = [...channels];
  next[index] = b;
  next[target] = a;
  return next;
}
