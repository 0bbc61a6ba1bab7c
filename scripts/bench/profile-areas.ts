// Where the hub's CPU goes, from the V8 profile `BENCH_CPU_PROF=<dir> npm run bench` writes: each sample is charged to
// the area whose code was running, and time in Node's runtime or in native code (a Buffer copy, JSON.stringify, a
// socket write) to the area that called it, so "kafkajs" includes the copies its encoder asks for. Loaded by bench.mjs
// through Node's type stripping; erasable TypeScript only.

/** A V8 CPU profile as `node --cpu-prof` writes it. */
export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
  readonly children?: readonly number[];
}

export interface AreaTime {
  readonly area: string;
  readonly ms: number;
  /** Of the time the hub was busy (idle samples left out). */
  readonly share: number;
}

export const IDLE = 'idle';
/** Node's own JavaScript (streams, timers, promise jobs) and native code no area's code called. */
export const RUNTIME = 'Node runtime (streams, timers, promises)';

const PACKAGE_AREAS: readonly (readonly [RegExp, string])[] = [
  [/\/node_modules\/kafkajs\//, 'kafkajs (Kafka protocol)'],
  [/\/node_modules\/(pg|pg-protocol|pg-pool|pg-types|postgres-[a-z]+)\//, 'pg (PostgreSQL protocol)'],
  [/\/node_modules\/(@mikro-orm\/[a-z]+|kysely)\//, 'MikroORM and Kysely'],
  [/\/node_modules\/handlebars\//, 'Handlebars'],
  [/\/node_modules\/(ajv|ajv-formats)\//, 'ajv (JSON Schema)'],
  [/\/node_modules\/(@nestjs\/[a-z-]+|express|graphql|@apollo\/[a-z-]+|graphql-ws|ws)\//, 'Nest, GraphQL, HTTP'],
  [/\/node_modules\/(pino|pino-[a-z-]+|sonic-boom|thread-stream)\//, 'logging (pino)'],
];

/** Native functions that move bytes through a socket or file: their own area, whoever called them. */
const IO_NATIVES = new Set(['writev', 'writeBuffer', 'writeUtf8String', 'writeLatin1String', 'writeAsciiString', 'onStreamRead']);

/** The area a frame's own code belongs to, or null when its time is charged to its caller. */
export function areaOf(url: string, functionName: string): string | null {
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (functionName === '(idle)') return IDLE;
  if (functionName === '(program)') return 'V8 (compiler, runtime)';
  if (functionName === '(root)') return RUNTIME;
  if (url === '' && IO_NATIVES.has(functionName)) return 'socket and file I/O';
  if (url.startsWith('node:internal/modules/') || /^compile(SourceTextModule|Function)|^wrapSafe$/.test(functionName)) return 'module loading (start-up)';
  for (const [pattern, area] of PACKAGE_AREAS) if (pattern.test(url)) return area;
  const own = /\/(apps|libs|plugins)\/([a-z-]+)\/(?:dist|src)\/(?:([a-z-]+)\/)?/.exec(url);
  if (own !== null) {
    const [, kind, name, folder] = own;
    if (kind === 'apps') return folder === undefined ? `${name ?? ''} (app)` : `${name ?? ''}: ${folder}`;
    return kind === 'libs' ? `libs/${name ?? ''}` : `plugin ${name ?? ''}`;
  }
  const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg !== null) return `package ${pkg[1] ?? ''}`;
  return null;
}

/** Microseconds per area in one profile. */
function areaTotals(profile: CpuProfile, totals: Map<string, number>): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parentOf.set(child, n.id);
  const areaOfNode = new Map<number, string>();
  const resolve = (id: number): string => {
    const known = areaOfNode.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id);
    const own = node === undefined ? RUNTIME : areaOf(node.callFrame.url, node.callFrame.functionName);
    const parent = parentOf.get(id);
    const area = own ?? (parent === undefined ? RUNTIME : resolve(parent));
    areaOfNode.set(id, area);
    return area;
  };
  profile.samples.forEach((id, i) => {
    const area = resolve(id);
    totals.set(area, (totals.get(area) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
}

/** Every area's time over the profiles (one per hub process), largest first, with its share of the busy time. */
export function profileAreas(profiles: readonly CpuProfile[]): AreaTime[] {
  const totals = new Map<string, number>();
  for (const profile of profiles) areaTotals(profile, totals);
  const busy = [...totals].reduce((sum, [area, us]) => (area === IDLE ? sum : sum + us), 0);
  return [...totals]
    .map(([area, us]) => ({ area, ms: us / 1000, share: area === IDLE || busy === 0 ? 0 : us / busy }))
    .sort((a, b) => b.ms - a.ms);
}
