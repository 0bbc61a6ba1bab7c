import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';

import { AuthGuard } from './auth.guard.js';
import { AuthService } from './auth.service.js';
import { RefusedCredentials } from './refused-credentials.js';

@Global()
@Module({
  providers: [AuthService, RefusedCredentials, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [AuthService, RefusedCredentials],
})
export class AuthModule {}
