import { Module } from '@nestjs/common';

import { DeliveryModule } from '../delivery/delivery.module.js';
import { ProviderWebhooksController } from './provider-webhooks.controller.js';
import { ProviderWebhooksService } from './provider-webhooks.service.js';

/** Provider webhooks over HTTP, routed to the plugin install or configured plugin the URL names. */
@Module({ imports: [DeliveryModule], controllers: [ProviderWebhooksController], providers: [ProviderWebhooksService] })
export class ProviderWebhooksModule {}
