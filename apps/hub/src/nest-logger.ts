import type { LoggerService } from '@nestjs/common';
import type { Logger as Pino } from 'pino';

/**
 * Nest's own messages into pino from the very first line (even when module creation fails, when nestjs-pino's
 * DI-built logger does not exist yet). Framework chatter goes to debug; errors keep their message and put the
 * stack at debug level, so an operator sees one clear line and a developer can still get the trace.
 */
export function nestLogger(logger: Pino): LoggerService {
  const context = (params: unknown[]): Record<string, unknown> => {
    const last = params.at(-1);
    return typeof last === 'string' ? { context: last } : {};
  };
  return {
    log: (message: unknown, ...params: unknown[]) => logger.debug(context(params), String(message)),
    debug: (message: unknown, ...params: unknown[]) => logger.debug(context(params), String(message)),
    verbose: (message: unknown, ...params: unknown[]) => logger.trace(context(params), String(message)),
    warn: (message: unknown, ...params: unknown[]) => logger.warn(context(params), String(message)),
    fatal: (message: unknown, ...params: unknown[]) => logger.fatal(context(params), String(message)),
    error: (message: unknown, ...params: unknown[]) => {
      const stack = params.find((p): p is string => typeof p === 'string' && p.includes('\n    at '));
      if (stack !== undefined) logger.debug({ stack }, 'stack of the next error');
      // Startup failures are reported by main.ts with their exit code; Nest's copy would only repeat them.
      if (message instanceof Error || /^(StartupError|ConfigError)\b/.test(String(message))) return;
      logger.error(context(params.filter((p) => p !== stack)), message instanceof Error ? message.message : String(message));
    },
  };
}
