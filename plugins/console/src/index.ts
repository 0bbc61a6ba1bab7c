import { consolePlugin } from './console.plugin.js';

export { type ConsoleConfig, consolePlugin, type ConsoleStreams } from './console.plugin.js';
export type { ConsoleLine } from './console.provider.js';

export default consolePlugin();
