import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';

import type { WebhookReply } from './provider-webhook.reply.js';
import { webhookRequestOf } from './provider-webhook.request.js';
import { PROVIDER_WEBHOOK_ROUTE } from './provider-webhook.route.js';
import { ProviderWebhooksService } from './provider-webhooks.service.js';

/**
 * `GET|POST /v1/plugins/:name/webhook`: what providers' peers push back (delivery statuses, citizens' replies,
 * subscription handshakes). No Kabar credential: the provider named authenticates the request itself.
 */
@Controller(PROVIDER_WEBHOOK_ROUTE)
export class ProviderWebhooksController {
  constructor(private readonly webhooks: ProviderWebhooksService) {}

  @Get()
  async handshake(@Param('name') name: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    send(res, await this.webhooks.handle(name, webhookRequestOf('GET', req)));
  }

  @Post()
  async receive(@Param('name') name: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    send(res, await this.webhooks.handle(name, webhookRequestOf('POST', req)));
  }
}

function send(res: Response, reply: WebhookReply): void {
  res.status(reply.status);
  if (reply.contentType === undefined) res.end();
  else res.type(reply.contentType).send(reply.body);
}
