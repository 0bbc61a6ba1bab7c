import { Field, InputType, Int } from '@nestjs/graphql';

@InputType()
export class QuietHoursInput {
  @Field({ description: 'HH:MM, local time.' })
  start!: string;

  @Field({ description: 'HH:MM, local time; equal to start for no quiet hours at all.' })
  end!: string;
}

@InputType()
export class FrequencyCapInput {
  @Field({ description: 'transactional, reminder or informational (critical is never capped).' })
  messageClass!: string;

  @Field(() => Int)
  count!: number;

  @Field(() => Int)
  periodSeconds!: number;
}

@InputType()
export class ChannelOrderInput {
  @Field({ description: 'A category such as tax or civil-registry, or * for any other.' })
  category!: string;

  @Field(() => [String])
  channels!: string[];
}

@InputType({ description: 'Omitted fields stay as they are.' })
export class UpdatePreferencesInput {
  @Field(() => String, { nullable: true, description: 'id or en.' })
  language?: string | null;

  @Field(() => String, { nullable: true, description: 'WIB, WITA or WIT.' })
  timezone?: string | null;

  @Field(() => QuietHoursInput, { nullable: true, description: 'null: the platform default; { start: "00:00", end: "00:00" }: none.' })
  quietHours?: QuietHoursInput | null;

  @Field(() => Boolean, { nullable: true })
  digest?: boolean | null;

  @Field(() => [FrequencyCapInput], { nullable: true, description: 'Replaces all your caps; [] removes them.' })
  caps?: FrequencyCapInput[] | null;

  @Field(() => [ChannelOrderInput], { nullable: true, description: 'Replaces your whole channel order.' })
  channelOrder?: ChannelOrderInput[] | null;
}

@InputType({ description: 'One citizen from an agency register; blank optional fields mean absent.' })
export class CitizenImportInput {
  @Field({ description: 'NIK, 16 digits (spaces and dots allowed).' })
  nationalId!: string;

  @Field()
  name!: string;

  @Field({ description: 'Kemendagri code, e.g. 32.73.01.1001.' })
  regionCode!: string;

  @Field({ description: 'WIB, WITA or WIT (or the IANA zone).' })
  timezone!: string;

  @Field({ description: 'id or en.' })
  language!: string;

  @Field(() => String, { nullable: true, description: 'SMS, E.164 or 08…' })
  phone?: string | null;

  @Field(() => String, { nullable: true })
  email?: string | null;

  @Field(() => String, { nullable: true })
  fcmToken?: string | null;

  @Field(() => String, { nullable: true, description: 'WhatsApp number, E.164 or 08…' })
  whatsapp?: string | null;
}
