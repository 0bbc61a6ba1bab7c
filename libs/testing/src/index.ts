export { type Certificate, selfSignedCertificate } from './certificate.js';
export { eventually } from './eventually.js';
export { graphql, type GraphqlResponse } from './graphql-client.js';
export { type HubProcess, startHubProcess } from './hub-process.js';
export { closedPort, closeNow, type TcpProxy,tcpProxy } from './network.js';
export { readWalkthrough, runInOrder, type StepOutput, type Walkthrough, type WalkthroughCommand } from './readme-walkthrough.js';
export { aConfig, uniqueNamespace } from './test-config.js';
export { createTestDatabase, queryDatabase, type TestDatabase } from './test-database.js';
