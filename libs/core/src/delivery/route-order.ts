/** One candidate install for a channel, as routes rank them. */
export interface RankedRoute<T> {
  readonly value: T;
  /** Lower goes first; failover walks down the priorities. */
  readonly priority: number;
  /** Share of traffic among routes of the same priority (e.g. 70/30 between two SMS aggregators). */
  readonly weight: number;
}

/**
 * The order to try routes in: by priority, and within one priority a weighted random order (Efraimidis–Spirakis:
 * each route draws `random^(1/weight)`, highest first), so traffic splits by weight and every route is still a
 * failover target for the others.
 * @example orderRoutes([{ value: 'a', priority: 0, weight: 70 }, { value: 'b', priority: 0, weight: 30 }, { value: 'c', priority: 1, weight: 1 }]) // ['a','b','c'] 70 % of the time
 */
export function orderRoutes<T>(routes: readonly RankedRoute<T>[], random: () => number = Math.random): T[] {
  return routes
    .map((route) => ({ route, key: route.weight > 0 ? random() ** (1 / route.weight) : 0 }))
    .sort((a, b) => a.route.priority - b.route.priority || b.key - a.key)
    .map(({ route }) => route.value);
}
