/**
 * Offline checks of k8s/: schema validation with kubernetes-models, a small kustomize (resources, strategic-merge
 * patches, images, namespace) to check each overlay's result, and the hub's own config parser run on the environment
 * each container would get, so a typo that would make the pod exit with code 2 fails here instead.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { type KabarConfig, loadConfig, resolveSecretKey, VARIABLES, type VariableSpec } from '@kabar/config';
import { TOPICS } from '@kabar/messaging';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Service } from 'kubernetes-models/v1/Service';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

type Obj = Record<string, unknown>;

const K8S = fileURLToPath(new URL('..', import.meta.url));
const BASE = join(K8S, 'base');
const IMAGE = 'ghcr.io/kabar-hub/hub';
const SECRET_NAME = 'hub-secrets';
/** The only password a committed DATABASE_URL may carry. */
const PLACEHOLDER_PASSWORD = 'CHANGE_ME';
/** Stands in for the out-of-band secret when the hub's config parser runs on base and production. */
const PLACEHOLDER_URL = `postgres://kabar:${PLACEHOLDER_PASSWORD}@postgres:5432/kabar`;
/** What an operator's `hub-secrets` holds as KABAR_SECRET_KEY (the committed dev placeholder is CHANGE_ME). */
const OPERATOR_KEY = Buffer.alloc(32, 7).toString('base64');
/** Secret keys a pod may go without: absent until the first master-key rotation. */
const OPTIONAL_SECRETS = new Set(['KABAR_RETIRED_SECRET_KEYS']);
/** The ingest consumer group the ScaledObject watches (before KAFKA_NAMESPACE is prepended). */
const INGEST_GROUP = 'kabar-ingest';
const KEDA = 'keda.sh/v1alpha1/ScaledObject';

/** A kubernetes-models class; `never` because the parsed YAML has no type until validate() has checked it. */
type SchemaModel = new (data: never) => { validate(): void };

const BUILT_IN: Readonly<Record<string, SchemaModel>> = {
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
};

interface Overlay {
  readonly name: string;
  readonly namespace: string;
  readonly apiReplicas: number;
  readonly workerReplicas: number;
  readonly replicationFactor: number;
  readonly pdbMinAvailable: number;
}

const OVERLAYS: readonly Overlay[] = [
  { name: 'dev', namespace: 'kabar-dev', apiReplicas: 1, workerReplicas: 1, replicationFactor: 1, pdbMinAvailable: 0 },
  { name: 'production', namespace: 'kabar', apiReplicas: 3, workerReplicas: 3, replicationFactor: 3, pdbMinAvailable: 2 },
];

// ---------------------------------------------------------------------------------------------------------------- //
// Small typed accessors over parsed YAML.

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function obj(value: unknown, where: string): Obj {
  if (!isObj(value)) throw new Error(`${where}: expected a map, got ${JSON.stringify(value)}`);
  return value;
}

function list(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${where}: expected a list, got ${JSON.stringify(value)}`);
  return value;
}

function text(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new Error(`${where}: expected a string, got ${JSON.stringify(value)}`);
  return value;
}

function num(value: unknown, where: string): number {
  if (typeof value !== 'number') throw new Error(`${where}: expected a number, got ${JSON.stringify(value)}`);
  return value;
}

/** `at(doc, 'spec.template.spec')`: undefined when any step is missing. */
function at(root: unknown, path: string): unknown {
  let current = root;
  for (const key of path.split('.')) current = isObj(current) ? current[key] : undefined;
  return current;
}

function typeOf(doc: Obj): string {
  return `${text(doc.apiVersion, 'apiVersion')}/${text(doc.kind, 'kind')}`;
}

function nameOf(doc: Obj): string {
  return text(at(doc, 'metadata.name'), `${typeOf(doc)} metadata.name`);
}

function find(manifests: readonly Obj[], kind: string, name: string): Obj {
  const found = manifests.find((m) => m.kind === kind && at(m, 'metadata.name') === name);
  if (found === undefined) throw new Error(`no ${kind} named ${name}`);
  return found;
}

function ofKind(manifests: readonly Obj[], kind: string): Obj[] {
  return manifests.filter((m) => m.kind === kind);
}

// ---------------------------------------------------------------------------------------------------------------- //
// Loading and a small kustomize.

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? yamlFiles(join(dir, entry.name)) : /\.ya?ml$/.test(entry.name) ? [join(dir, entry.name)] : []))
    .sort();
}

function loadYaml(file: string): Obj[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).flatMap((doc, index) => {
    if (doc.errors.length > 0) throw new Error(`${file} document ${index}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value: unknown = doc.toJS();
    return value === null ? [] : [obj(value, `${file} document ${index}`)];
  });
}

function loadOne(file: string): Obj {
  const docs = loadYaml(file);
  if (docs.length !== 1) throw new Error(`${file}: expected one document, found ${docs.length}`);
  return obj(docs[0], file);
}

interface Kustomization {
  readonly raw: Obj;
  readonly resources: string[];
  readonly patches: string[];
  readonly images: Obj[];
}

function readKustomization(dir: string): Kustomization {
  const raw = loadOne(join(dir, 'kustomization.yaml'));
  const where = relative(K8S, dir);
  return {
    raw,
    resources: list(raw.resources ?? [], `${where} resources`).map((r) => text(r, `${where} resources`)),
    patches: list(raw.patches ?? [], `${where} patches`).map((p) => text(at(p, 'path'), `${where} patches[].path`)),
    images: list(raw.images ?? [], `${where} images`).map((i) => obj(i, `${where} images`)),
  };
}

/** Merge keys of the lists the patches here touch; every other list is replaced, as kustomize does. */
const MERGE_KEYS: Readonly<Record<string, string>> = {
  containers: 'name',
  initContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
};

/** Strategic merge, enough for these patches: maps merge, `null` deletes, keyed lists merge by key, others replace. */
function strategicMerge(base: unknown, patch: unknown, field = ''): unknown {
  if (isObj(base) && isObj(patch)) {
    const merged: Obj = { ...base };
    for (const [key, value] of Object.entries(patch)) merged[key] = strategicMerge(base[key], value, key);
    return Object.fromEntries(Object.entries(merged).filter(([key]) => patch[key] !== null));
  }
  const mergeKey = MERGE_KEYS[field];
  if (mergeKey !== undefined && Array.isArray(base) && Array.isArray(patch)) {
    const merged = [...list(base, field)];
    for (const item of list(patch, field)) {
      const id = at(item, mergeKey);
      const index = merged.findIndex((existing) => id !== undefined && at(existing, mergeKey) === id);
      if (index === -1) merged.push(item);
      else merged[index] = strategicMerge(merged[index], item);
    }
    return merged;
  }
  return patch;
}

function patchTarget(manifests: readonly Obj[], patch: Obj, where: string): number {
  const index = manifests.findIndex((m) => typeOf(m) === typeOf(patch) && nameOf(m) === nameOf(patch));
  if (index === -1) throw new Error(`${where} targets ${typeOf(patch)} ${nameOf(patch)}, which is not in its resources`);
  return index;
}

function podContainers(deployment: Obj): Obj[] {
  const spec = at(deployment, 'spec.template.spec');
  const name = nameOf(deployment);
  return [
    ...list(at(spec, 'initContainers') ?? [], `${name} initContainers`),
    ...list(at(spec, 'containers'), `${name} containers`),
  ].map((c) => obj(c, `${name} container`));
}

function imageName(image: string): string {
  const withoutDigest = image.split('@')[0] ?? image;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  return colon > lastSlash ? withoutDigest.slice(0, colon) : withoutDigest;
}

/** What `kubectl kustomize dir` would print, minus generators and name suffixes. */
function render(dir: string): Obj[] {
  const kustomization = readKustomization(dir);
  const manifests = kustomization.resources.flatMap((entry) => {
    const path = resolve(dir, entry);
    return statSync(path).isDirectory() ? render(path) : loadYaml(path);
  });
  for (const path of kustomization.patches) {
    const patch = loadOne(join(dir, path));
    const index = patchTarget(manifests, patch, path);
    manifests[index] = obj(strategicMerge(manifests[index], patch), path);
  }
  for (const image of kustomization.images) {
    const name = text(image.name, 'images[].name');
    for (const container of ofKind(manifests, 'Deployment').flatMap(podContainers)) {
      if (imageName(text(container.image, 'image')) !== name) continue;
      const newName = typeof image.newName === 'string' ? image.newName : name;
      if (typeof image.digest === 'string') container.image = `${newName}@${image.digest}`;
      else if (typeof image.newTag === 'string') container.image = `${newName}:${image.newTag}`;
      else container.image = newName;
    }
  }
  const namespace = kustomization.raw.namespace;
  if (typeof namespace === 'string') for (const m of manifests) obj(m.metadata, 'metadata').namespace = namespace;
  return manifests;
}

function validateBuiltIn(doc: Obj): void {
  const type = typeOf(doc);
  const Model = BUILT_IN[type];
  if (Model === undefined) throw new Error(`${type} ${nameOf(doc)}: no schema known to this test (add it to BUILT_IN)`);
  new Model(doc as never).validate();
}

// ---------------------------------------------------------------------------------------------------------------- //
// What a running pod would see.

function secretUrl(dir: string): string {
  const generators = list(readKustomization(dir).raw.secretGenerator ?? [], 'secretGenerator').map((g) => obj(g, 'secretGenerator'));
  const literal = generators
    .filter((g) => g.name === SECRET_NAME)
    .flatMap((g) => list(g.literals ?? [], 'literals').map((l) => text(l, 'literal')))
    .find((l) => l.startsWith('DATABASE_URL='));
  return literal === undefined ? PLACEHOLDER_URL : literal.slice('DATABASE_URL='.length);
}

function containerEnv(container: Obj, manifests: readonly Obj[], databaseUrl: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of list(container.envFrom ?? [], 'envFrom')) {
    const configMap = find(manifests, 'ConfigMap', text(at(source, 'configMapRef.name'), 'envFrom[].configMapRef.name'));
    for (const [key, value] of Object.entries(obj(configMap.data, 'ConfigMap data'))) env[key] = text(value, key);
  }
  for (const entry of list(container.env ?? [], 'env').map((e) => obj(e, 'env'))) {
    const name = text(entry.name, 'env[].name');
    if (entry.value !== undefined) {
      env[name] = text(entry.value, name);
      continue;
    }
    const optional = OPTIONAL_SECRETS.has(name);
    expect(at(entry, 'valueFrom.secretKeyRef'), `${name} comes from ${SECRET_NAME}`).toEqual({ name: SECRET_NAME, key: name, ...(optional ? { optional: true } : {}) });
    if (name === 'DATABASE_URL') env[name] = databaseUrl;
    else if (name === 'KABAR_SECRET_KEY') env[name] = OPERATOR_KEY;
    else if (!optional) throw new Error(`${name} from ${SECRET_NAME} has no test value`);
  }
  return env;
}

function hubContainer(deployment: Obj): Obj {
  const hub = list(at(deployment, 'spec.template.spec.containers'), 'containers').find((c) => at(c, 'name') === 'hub');
  return obj(hub, `${nameOf(deployment)} container "hub"`);
}

/** The hub container's config as the hub would load it, master key included (a PostgreSQL deployment needs one). */
function hubConfig(deployment: Obj, manifests: readonly Obj[], databaseUrl: string): KabarConfig {
  const config = loadConfig(containerEnv(hubContainer(deployment), manifests, databaseUrl));
  resolveSecretKey(config);
  return config;
}

function kafkaOf(config: KabarConfig): NonNullable<KabarConfig['kafka']> {
  if (config.kafka === null) throw new Error('KAFKA_BROKERS is not set: the hub would run the in-process bus');
  return config.kafka;
}

// ---------------------------------------------------------------------------------------------------------------- //
// The checks, as functions so the self-tests below can show each one fails.

function assertPodSecurity(deployment: Obj): void {
  const name = nameOf(deployment);
  const pod = obj(at(deployment, 'spec.template.spec.securityContext') ?? {}, `${name} pod securityContext`);
  expect(at(deployment, 'spec.template.spec.automountServiceAccountToken'), `${name} mounts no API token`).toBe(false);
  for (const container of podContainers(deployment)) {
    const where = `${name}/${text(container.name, 'name')}`;
    const own = obj(container.securityContext, `${where} securityContext`);
    const effective = { ...pod, ...own };
    expect(effective.runAsNonRoot, `${where} runAsNonRoot`).toBe(true);
    expect(effective.runAsUser, `${where} runAsUser`).not.toBe(0);
    expect(at(effective, 'seccompProfile.type'), `${where} seccomp`).toBe('RuntimeDefault');
    expect(own.readOnlyRootFilesystem, `${where} readOnlyRootFilesystem`).toBe(true);
    expect(own.allowPrivilegeEscalation, `${where} allowPrivilegeEscalation`).toBe(false);
    expect(own.privileged ?? false, `${where} privileged`).toBe(false);
    expect(at(own, 'capabilities.drop'), `${where} drops every capability`).toEqual(['ALL']);
    expect(at(own, 'capabilities.add') ?? [], `${where} adds no capability`).toEqual([]);
    for (const path of ['requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory']) {
      expect(at(container.resources, path), `${where} resources.${path}`).toBeDefined();
    }
  }
}

/** Seconds a probe tolerates failure before it acts, with the API server's defaults. */
function probeWindow(probe: unknown): number {
  const delay = typeof at(probe, 'initialDelaySeconds') === 'number' ? num(at(probe, 'initialDelaySeconds'), 'delay') : 0;
  const period = typeof at(probe, 'periodSeconds') === 'number' ? num(at(probe, 'periodSeconds'), 'period') : 10;
  const failures = typeof at(probe, 'failureThreshold') === 'number' ? num(at(probe, 'failureThreshold'), 'failures') : 3;
  return delay + period * failures;
}

function assertProbes(deployment: Obj, config: KabarConfig): void {
  const name = nameOf(deployment);
  const hub = hubContainer(deployment);
  const ports = list(hub.ports, `${name} ports`).map((p) => obj(p, 'port'));
  const portOf = (probe: string): unknown => {
    const port = at(hub, `${probe}.httpGet.port`);
    return typeof port === 'string' ? ports.find((p) => p.name === port)?.containerPort : port;
  };
  expect(at(hub, 'livenessProbe.httpGet.path'), `${name} liveness path`).toBe('/health/live');
  expect(at(hub, 'readinessProbe.httpGet.path'), `${name} readiness path`).toBe('/health/ready');
  expect(portOf('livenessProbe'), `${name} liveness port is PORT`).toBe(config.port);
  expect(portOf('readinessProbe'), `${name} readiness port is PORT`).toBe(config.port);
  const startup = at(hub, 'startupProbe');
  if (startup !== undefined) {
    expect(at(startup, 'httpGet.path'), `${name} startup path`).toBe('/health/live');
    expect(portOf('startupProbe'), `${name} startup port is PORT`).toBe(config.port);
  }
  // The hub listens only once its dependencies answer; it gives up by itself (exit 3) after these timeouts.
  const ownRetries = (config.databaseConnectTimeoutMs + kafkaOf(config).connectTimeoutMs) / 1000;
  const grace = startup === undefined ? probeWindow(at(hub, 'livenessProbe')) : probeWindow(startup);
  expect(grace, `${name}: probes must not kill the hub while it is still retrying its dependencies`).toBeGreaterThanOrEqual(ownRetries);
  const gracePeriod = num(at(deployment, 'spec.template.spec.terminationGracePeriodSeconds'), `${name} terminationGracePeriodSeconds`);
  const preStopSleep = at(hub, 'lifecycle.preStop.sleep.seconds');
  expect(gracePeriod, `${name} terminationGracePeriodSeconds leaves time after preStop`).toBeGreaterThan(typeof preStopSleep === 'number' ? preStopSleep : 0);
}

/** What KEDA needs of the ScaledObject on its own (kubernetes-models has no schema for it). */
function assertScaledObjectShape(scaled: Obj, manifests: readonly Obj[]): { target: Obj; metadata: Obj; min: number; max: number } {
  expect(scaled.apiVersion).toBe('keda.sh/v1alpha1');
  expect(at(scaled, 'spec.scaleTargetRef.kind') ?? 'Deployment').toBe('Deployment');
  const target = find(manifests, 'Deployment', text(at(scaled, 'spec.scaleTargetRef.name'), 'scaleTargetRef.name'));
  const triggers = list(at(scaled, 'spec.triggers'), 'triggers').filter((t) => at(t, 'type') === 'kafka');
  expect(triggers).toHaveLength(1);
  const metadata = obj(at(triggers[0], 'metadata'), 'trigger metadata');
  for (const key of ['bootstrapServers', 'topic', 'consumerGroup']) expect(metadata[key], `trigger metadata ${key}`).toBeTypeOf('string');
  for (const [key, value] of Object.entries(metadata)) expect(typeof value, `trigger metadata ${key} is a string`).toBe('string');
  const min = num(at(scaled, 'spec.minReplicaCount'), 'minReplicaCount');
  const max = num(at(scaled, 'spec.maxReplicaCount'), 'maxReplicaCount');
  expect(min, 'never scaled to zero: the worker also runs the outbox relay').toBeGreaterThanOrEqual(1);
  expect(max).toBeGreaterThanOrEqual(min);
  return { target, metadata, min, max };
}

/** The ScaledObject agrees with the hub it scales: same brokers, the topic and group the hub uses, sane bounds. */
function assertScaledObject(scaled: Obj, manifests: readonly Obj[], databaseUrl: string): void {
  const { target, metadata, min, max } = assertScaledObjectShape(scaled, manifests);
  const config = hubConfig(target, manifests, databaseUrl);
  const kafka = kafkaOf(config);
  expect(config.role, 'KEDA scales the worker').toBe('worker');
  expect(metadata.bootstrapServers, 'bootstrapServers = KAFKA_BROKERS').toBe(kafka.brokers.join(','));
  expect(metadata.topic, 'topic as the hub names it on the wire').toBe(`${kafka.namespace}${TOPICS.events}`);
  expect(metadata.consumerGroup, 'consumer group as the hub names it on the wire').toBe(`${kafka.namespace}${INGEST_GROUP}`);
  expect(max, 'workers beyond the partition count would sit idle').toBeLessThanOrEqual(kafka.partitions);
  expect(at(target, 'spec.replicas'), 'worker replicas = minReplicaCount').toBe(min);
}

// ---------------------------------------------------------------------------------------------------------------- //

describe('strategicMerge (used to apply the overlays)', () => {
  it('merges maps and containers by name, replaces other lists, deletes on null', () => {
    const base = { spec: { replicas: 2, a: 1, args: ['x', 'y'], containers: [{ name: 'hub', image: 'i', env: [{ name: 'A', value: '1' }] }, { name: 'side' }] } };
    const patch = { spec: { replicas: 3, a: null, args: ['z'], containers: [{ name: 'hub', env: [{ name: 'B', value: '2' }] }] } };
    expect(strategicMerge(base, patch)).toEqual({
      spec: {
        replicas: 3,
        args: ['z'],
        containers: [{ name: 'hub', image: 'i', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }, { name: 'side' }],
      },
    });
  });
});

describe('k8s/base', () => {
  const files = yamlFiles(BASE);
  // Built in beforeAll, not while collecting, so a broken kustomization fails tests with its message.
  let kustomization: Kustomization;
  let manifests: Obj[];
  beforeAll(() => {
    kustomization = readKustomization(BASE);
    manifests = render(BASE);
  });

  it('lists every manifest file in kustomization.yaml, and every listed resource exists', () => {
    const listed = kustomization.resources.map((r) => resolve(BASE, r)).sort();
    expect(files.filter((f) => !f.endsWith('kustomization.yaml'))).toEqual(listed);
  });

  it.each(files.filter((f) => !f.endsWith('kustomization.yaml')).map((f) => relative(K8S, f)))('%s passes schema validation', (file) => {
    const docs = loadYaml(join(K8S, file));
    expect(docs.length).toBeGreaterThan(0);
    for (const doc of docs) {
      if (typeOf(doc) !== KEDA) validateBuiltIn(doc);
    }
  });

  it('holds the pieces the hub needs', () => {
    expect(manifests.map((m) => `${text(m.kind, 'kind')}/${nameOf(m)}`).sort()).toEqual([
      'ConfigMap/hub-config',
      'Deployment/hub-api',
      'Deployment/hub-worker',
      'HorizontalPodAutoscaler/hub-api',
      'PodDisruptionBudget/hub-api',
      'ScaledObject/hub-worker',
      'Service/hub-api',
      'Service/hub-worker-metrics',
    ]);
  });

  it('runs migrations in an initContainer of hub-api, on the hub image, before the api starts', () => {
    const api = find(manifests, 'Deployment', 'hub-api');
    const init = list(at(api, 'spec.template.spec.initContainers'), 'initContainers').map((c) => obj(c, 'initContainer'));
    const migrate = init.find((c) => c.name === 'migrate');
    expect(migrate?.command).toEqual(['node', 'apps/cli/bin/kabar.js', 'migrate']);
    expect(migrate?.image).toBe(hubContainer(api).image);
    const config = loadConfig(containerEnv(obj(migrate, 'migrate'), manifests, PLACEHOLDER_URL));
    expect(config.database.kind, 'migrate reaches PostgreSQL, not the embedded database').toBe('postgres');
  });

  it('exposes hub-api on port 80 and the workers through a headless metrics Service', () => {
    const api = find(manifests, 'Service', 'hub-api');
    expect(at(api, 'spec.ports')).toEqual([{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }]);
    expect(at(find(manifests, 'Service', 'hub-worker-metrics'), 'spec.clusterIP')).toBe('None');
  });
});

const TREES = [{ name: 'base', dir: BASE }, ...OVERLAYS.map((o) => ({ name: `overlays/${o.name}`, dir: join(K8S, 'overlays', o.name) }))];

describe.each(TREES)('k8s/$name, as kustomize would build it', ({ dir }) => {
  let manifests: Obj[];
  let databaseUrl: string;
  let deployments: Obj[];
  beforeAll(() => {
    manifests = render(dir);
    databaseUrl = secretUrl(dir);
    deployments = ofKind(manifests, 'Deployment');
  });
  const podLabels = (deployment: Obj): Obj => obj(at(deployment, 'spec.template.metadata.labels'), 'pod labels');
  const selects = (selector: unknown, deployment: Obj): boolean =>
    isObj(selector) && Object.entries(selector).every(([key, value]) => podLabels(deployment)[key] === value);

  it('passes schema validation, and KEDA is the only custom resource', () => {
    for (const doc of manifests) {
      if (typeOf(doc) !== KEDA) validateBuiltIn(doc);
    }
    expect(manifests.filter((m) => typeOf(m) === KEDA).map(nameOf)).toEqual(['hub-worker']);
  });

  it('runs hub-api and hub-worker from the same image with the right KABAR_ROLE, configured so the hub boots', () => {
    const roles = deployments.map((d) => [nameOf(d), hubConfig(d, manifests, databaseUrl).role]);
    expect(roles).toEqual([
      ['hub-api', 'api'],
      ['hub-worker', 'worker'],
    ]);
    for (const deployment of deployments) {
      const config = hubConfig(deployment, manifests, databaseUrl);
      expect(config.host, 'listens on every interface').toBe('0.0.0.0');
      expect(config.database.kind).toBe('postgres');
      expect(kafkaOf(config).brokers.length).toBeGreaterThan(0);
      for (const container of podContainers(deployment)) expect(imageName(text(container.image, 'image'))).toBe(IMAGE);
      expect(selects(at(deployment, 'spec.selector.matchLabels'), deployment), `${nameOf(deployment)} selector matches its pods`).toBe(true);
    }
  });

  it('sets only variables the hub knows in hub-config, and no secret ones', () => {
    const data = obj(find(manifests, 'ConfigMap', 'hub-config').data, 'hub-config data');
    const specs: readonly VariableSpec[] = Object.values(VARIABLES);
    const secretNames = specs.filter((v) => v.secret === true).map((v) => v.name);
    for (const key of Object.keys(data)) {
      expect(Object.keys(VARIABLES), `${key} is a variable the hub reads`).toContain(key);
      expect(secretNames, `${key} belongs in a Secret`).not.toContain(key);
    }
  });

  it('hardens both Deployments: non-root, read-only root filesystem, no capabilities, RuntimeDefault seccomp, resources', () => {
    expect(deployments).toHaveLength(2);
    for (const deployment of deployments) assertPodSecurity(deployment);
  });

  it('probes /health/live and /health/ready on PORT, with time to start and to drain', () => {
    for (const deployment of deployments) assertProbes(deployment, hubConfig(deployment, manifests, databaseUrl));
  });

  it('points Services, the PDB and the HPA at hub-api, with a budget that lets nodes drain', () => {
    const api = find(manifests, 'Deployment', 'hub-api');
    for (const service of ofKind(manifests, 'Service')) {
      const target = deployments.find((d) => selects(at(service, 'spec.selector'), d));
      expect(target, `Service ${nameOf(service)} selects a Deployment's pods`).toBeDefined();
      const portNames = list(at(hubContainer(target!), 'ports'), 'ports').map((p) => at(p, 'name'));
      for (const port of list(at(service, 'spec.ports'), 'ports')) expect(portNames).toContain(at(port, 'targetPort'));
    }
    const pdb = find(manifests, 'PodDisruptionBudget', 'hub-api');
    expect(selects(at(pdb, 'spec.selector.matchLabels'), api)).toBe(true);
    const hpa = find(manifests, 'HorizontalPodAutoscaler', 'hub-api');
    expect(at(hpa, 'spec.scaleTargetRef')).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'hub-api' });
    expect(list(at(hpa, 'spec.metrics'), 'metrics').map((m) => at(m, 'resource.name'))).toEqual(['cpu']);
    const minReplicas = num(at(hpa, 'spec.minReplicas'), 'minReplicas');
    expect(at(api, 'spec.replicas'), 'api replicas = HPA minReplicas').toBe(minReplicas);
    expect(num(at(pdb, 'spec.minAvailable'), 'minAvailable'), 'PDB below the replica floor').toBeLessThan(minReplicas);
  });

  it('scales hub-worker with a KEDA kafka trigger on the ingest consumer group', () => {
    assertScaledObject(find(manifests, 'ScaledObject', 'hub-worker'), manifests, databaseUrl);
  });
});

describe.each(OVERLAYS)('k8s/overlays/$name', (overlay) => {
  const dir = join(K8S, 'overlays', overlay.name);
  let kustomization: Kustomization;
  let base: Obj[];
  let manifests: Obj[];
  beforeAll(() => {
    kustomization = readKustomization(dir);
    base = render(BASE);
    manifests = render(dir);
  });
  const value = (kind: string, name: string, path: string): unknown => at(find(manifests, kind, name), path);

  it('uses only resources, namespace, images, patches (and a secretGenerator in dev)', () => {
    const allowed = ['apiVersion', 'kind', 'resources', 'namespace', 'images', 'patches', ...(overlay.name === 'dev' ? ['secretGenerator'] : [])];
    for (const key of Object.keys(kustomization.raw)) expect(allowed).toContain(key);
    expect(kustomization.raw.namespace).toBe(overlay.namespace);
    expect(kustomization.resources.map((r) => resolve(dir, r))).toEqual([BASE]);
    expect(statSync(BASE).isDirectory()).toBe(true);
    expect(kustomization.images.map((i) => i.name), 'images[].name must match the base image or it changes nothing').toEqual([IMAGE]);
  });

  it('lists every patch file, and each targets a base resource and still validates after merging', () => {
    const patchFiles = kustomization.patches.map((p) => join(dir, p)).sort();
    expect(yamlFiles(dir).filter((f) => !f.endsWith('kustomization.yaml'))).toEqual(patchFiles);
    for (const file of patchFiles) {
      const patch = loadOne(file);
      const merged = obj(strategicMerge(base[patchTarget(base, patch, file)], patch), file);
      if (typeOf(merged) === KEDA) assertScaledObjectShape(merged, base);
      else validateBuiltIn(merged);
    }
  });

  it(`runs ${overlay.apiReplicas} api and ${overlay.workerReplicas} worker replicas, RF ${overlay.replicationFactor}, PDB minAvailable ${overlay.pdbMinAvailable}`, () => {
    expect(value('Deployment', 'hub-api', 'spec.replicas')).toBe(overlay.apiReplicas);
    expect(value('Deployment', 'hub-worker', 'spec.replicas')).toBe(overlay.workerReplicas);
    expect(value('HorizontalPodAutoscaler', 'hub-api', 'spec.minReplicas')).toBe(overlay.apiReplicas);
    expect(value('ScaledObject', 'hub-worker', 'spec.minReplicaCount')).toBe(overlay.workerReplicas);
    expect(value('PodDisruptionBudget', 'hub-api', 'spec.minAvailable')).toBe(overlay.pdbMinAvailable);
    const config = hubConfig(find(manifests, 'Deployment', 'hub-worker'), manifests, secretUrl(dir));
    expect(kafkaOf(config).replicationFactor).toBe(overlay.replicationFactor);
    for (const m of manifests) expect(at(m, 'metadata.namespace')).toBe(overlay.namespace);
  });
});

describe('secrets', () => {
  const allFiles = yamlFiles(K8S);

  it('commits no DATABASE_URL password other than the placeholder', () => {
    for (const file of allFiles) {
      for (const match of readFileSync(file, 'utf8').matchAll(/postgres(?:ql)?:\/\/[^:@\s/]+:([^@\s]*)@/g)) {
        expect(match[1], `${relative(K8S, file)} holds a database password`).toBe(PLACEHOLDER_PASSWORD);
      }
    }
  });

  it('never sets DATABASE_URL or a master key as a literal value or commits a Secret manifest', () => {
    for (const tree of TREES) {
      const manifests = render(tree.dir);
      expect(ofKind(manifests, 'Secret'), `${tree.name} commits no Secret`).toEqual([]);
      for (const container of ofKind(manifests, 'Deployment').flatMap(podContainers)) {
        const env = list(container.env ?? [], 'env');
        for (const name of ['DATABASE_URL', 'KABAR_SECRET_KEY', 'KABAR_RETIRED_SECRET_KEYS']) {
          const entry = env.find((e) => at(e, 'name') === name);
          expect(at(entry, 'value'), `${tree.name} ${text(container.name, 'name')} ${name}`).toBeUndefined();
        }
        expect(at(env.find((e) => at(e, 'name') === 'DATABASE_URL'), 'valueFrom.secretKeyRef')).toEqual({ name: SECRET_NAME, key: 'DATABASE_URL' });
      }
      for (const deployment of ofKind(manifests, 'Deployment')) {
        const env = list(hubContainer(deployment).env ?? [], 'env');
        expect(at(env.find((e) => at(e, 'name') === 'KABAR_SECRET_KEY'), 'valueFrom.secretKeyRef'), `${nameOf(deployment)} has the master key`).toEqual({ name: SECRET_NAME, key: 'KABAR_SECRET_KEY' });
      }
    }
  });

  it('generates the secret only in dev, with placeholders; production expects it to exist already', () => {
    expect(readKustomization(join(K8S, 'overlays', 'production')).raw.secretGenerator).toBeUndefined();
    expect(secretUrl(join(K8S, 'overlays', 'dev'))).toContain(`:${PLACEHOLDER_PASSWORD}@`);
    const literals = list(readKustomization(join(K8S, 'overlays', 'dev')).raw.secretGenerator ?? [], 'secretGenerator').flatMap((g) => list(obj(g, 'generator').literals ?? [], 'literals'));
    expect(literals.filter((l) => text(l, 'literal').startsWith('KABAR_SECRET_KEY'))).toEqual([`KABAR_SECRET_KEY=${PLACEHOLDER_PASSWORD}`]);
  });
});

describe('the checks can fail', () => {
  let manifests: Obj[];
  let api: Obj;
  let config: KabarConfig;
  beforeAll(() => {
    manifests = render(BASE);
    api = find(manifests, 'Deployment', 'hub-api');
    config = hubConfig(api, manifests, PLACEHOLDER_URL);
  });
  const podPatch = (spec: Obj): Obj => obj(strategicMerge(api, { spec: { template: { spec } } }), 'patched hub-api');

  it('rejects a moved probe path, a short startup window and a writable root filesystem', () => {
    const moved = podPatch({ containers: [{ name: 'hub', readinessProbe: { httpGet: { path: '/healthz' } } }] });
    expect(() => assertProbes(moved, config)).toThrow(/readiness path/);
    const impatient = podPatch({ containers: [{ name: 'hub', startupProbe: { failureThreshold: 3 } }] });
    expect(() => assertProbes(impatient, config)).toThrow(/still retrying/);
    const writable = podPatch({ initContainers: [{ name: 'migrate', securityContext: { readOnlyRootFilesystem: false } }] });
    expect(() => assertPodSecurity(writable)).toThrow(/readOnlyRootFilesystem/);
  });

  it('rejects schema errors, a ScaledObject on the wrong group and a config the hub would refuse', () => {
    expect(() => validateBuiltIn(obj(strategicMerge(api, { spec: { replicas: 'three' } }), 'x'))).toThrow();
    const scaled = find(manifests, 'ScaledObject', 'hub-worker');
    const trigger = obj(list(at(scaled, 'spec.triggers'), 'triggers')[0], 'trigger');
    const metadata = { ...obj(trigger.metadata, 'metadata'), consumerGroup: 'kabar-hub' };
    const wrong = obj(strategicMerge(scaled, { spec: { triggers: [{ ...trigger, metadata }] } }), 'x');
    expect(() => assertScaledObject(wrong, manifests, PLACEHOLDER_URL)).toThrow(/consumer group/);
    const env = containerEnv(hubContainer(api), manifests, PLACEHOLDER_URL);
    expect(() => loadConfig({ ...env, KAFKA_PARTITIONS: 'six' })).toThrow();
    const keyless = structuredClone(api);
    const hub = hubContainer(keyless);
    hub.env = list(hub.env, 'env').filter((e) => at(e, 'name') !== 'KABAR_SECRET_KEY');
    expect(() => hubConfig(keyless, manifests, PLACEHOLDER_URL)).toThrow(/KABAR_SECRET_KEY/);
  });
});
