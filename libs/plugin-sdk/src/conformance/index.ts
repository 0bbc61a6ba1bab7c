export { anOutboundMessage } from './outbound-message.builder.js';
export { type ConformanceOptions, runConformance } from './run-conformance.js';
