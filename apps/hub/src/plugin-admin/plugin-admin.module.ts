import { Module } from '@nestjs/common';

import { DeliveryModule } from '../delivery/delivery.module.js';
import { PluginAdminResolver } from './plugin-admin.resolver.js';
import { PluginAdminService } from './plugin-admin.service.js';

/** Admin plugin lifecycle (install, approve, configure, check, enable, route). */
@Module({ imports: [DeliveryModule], providers: [PluginAdminService, PluginAdminResolver] })
export class PluginAdminModule {}
