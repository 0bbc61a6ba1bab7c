import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { Logger } from '@kabar/core';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import type { Request } from 'express';

import type { GraphqlContext } from '../auth/index.js';
import { ROOT_LOGGER } from '../config/config.module.js';
import { DateTimeScalar } from './date-time.scalar.js';
import { clientErrorStatusPlugin, formatGraphqlError } from './graphql-errors.js';
import { queryLimitsPlugin } from './query-limits.js';
import { storableTextPlugin } from './storable-text.js';

/** HTTP requests carry the credential in a header; graphql-ws connections in their connection parameters. */
function graphqlContext(input: { req?: Request; connectionParams?: Record<string, unknown>; extra?: { request?: { socket?: { remoteAddress?: string } } } }): GraphqlContext {
  const fromParams = input.connectionParams?.authorization ?? input.connectionParams?.Authorization;
  return {
    authorization: input.req?.headers.authorization ?? (typeof fromParams === 'string' ? fromParams : undefined),
    clientIp: input.req?.ip ?? input.extra?.request?.socket?.remoteAddress,
  };
}

/**
 * Apollo Server at POST /graphql, subscriptions over graphql-ws on the same path. Apollo's landing page and Nest's
 * playground load from CDNs, which a government network may not reach: both are off; GET /graphql serves our own IDE.
 */
@Module({
  imports: [
    GraphQLModule.forRootAsync<ApolloDriverConfig>({
      driver: ApolloDriver,
      inject: [ROOT_LOGGER],
      useFactory: (logger: Logger) => ({
        autoSchemaFile: true,
        buildSchemaOptions: { scalarsMap: [{ type: Date, scalar: DateTimeScalar }] },
        sortSchema: true,
        playground: false,
        introspection: true,
        plugins: [ApolloServerPluginLandingPageDisabled(), queryLimitsPlugin(), storableTextPlugin(), clientErrorStatusPlugin()],
        subscriptions: { 'graphql-ws': true },
        includeStacktraceInErrorResponses: false,
        formatError: formatGraphqlError(logger),
        context: graphqlContext,
      }),
    }),
  ],
})
export class KabarGraphqlModule {}
