import { Controller, Get, Param, Res } from '@nestjs/common';
import type { Response } from 'express';

import { type AgencyPrincipal, CurrentAgency, RequireScope } from '../auth/index.js';
import { ComplaintDesk } from './complaint-desk.js';

/**
 * `GET /v1/complaints/:id/media/:mediaId`: a photo or file a citizen sent with one of the agency's complaints (the
 * `media.id` its callbacks and `complaints` show), fetched from the channel's provider as it is asked for.
 */
@Controller('v1/complaints')
@RequireScope('agency')
export class ComplaintMediaController {
  constructor(private readonly desk: ComplaintDesk) {}

  @Get(':id/media/:mediaId')
  async media(@CurrentAgency() agency: AgencyPrincipal, @Param('id') id: string, @Param('mediaId') mediaId: string, @Res() res: Response): Promise<void> {
    const file = await this.desk.media(agency.agencyId, id, mediaId);
    // A citizen chose these bytes: never rendered as a page of this origin, never cached on the way.
    res
      .status(200)
      .type(file.mimeType)
      .set({ 'cache-control': 'private, no-store', 'x-content-type-options': 'nosniff', 'content-security-policy': 'sandbox', 'content-disposition': `attachment; filename="${mediaId.replace(/[^\w.-]/g, '_')}"` })
      .send(file.data);
  }
}
