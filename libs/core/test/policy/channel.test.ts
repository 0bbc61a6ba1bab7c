import type { ChannelName } from '@kabar/core';
import { describe, expect, it } from 'vitest';

import { DEFAULT_PLATFORM_POLICY, type PolicyCitizen, type PolicyEventType } from '../../src/policy/index.js';
import { aCitizen, anEvent, anEventType, contact, decideOne } from './builders.js';

/** The chosen chain as `channel:contact` strings, target first; null when nothing could reach the citizen. */
function chain(type: PolicyEventType, citizen: PolicyCitizen, healthyChannels?: ReadonlySet<ChannelName>): string[] | null {
  const { verdict } = decideOne(anEvent({ type }), citizen, healthyChannels === undefined ? {} : { healthyChannels });
  if (verdict.state !== 'accepted') return null;
  return [verdict.target, ...verdict.fallback].map((t) => `${t.channel}:${t.contactPointId ?? '-'}`);
}

describe('decide: channel choice', () => {
  const allFour = anEventType();
  const everyone = aCitizen({ contacts: [contact('cp-push', 'push'), contact('cp-sms', 'sms'), contact('cp-email', 'email'), contact('cp-wa', 'whatsapp')] });

  it.each<[string, PolicyEventType, PolicyCitizen, ReadonlySet<ChannelName> | undefined, string[] | null]>([
    ['the citizen order, then the inbox as last resort', allFour, everyone, undefined, ['push:cp-push', 'sms:cp-sms', 'email:cp-email', 'inbox:-']],
    ['the fallback chain keeps the citizen order', allFour, aCitizen({ channelOrder: { '*': ['email', 'sms', 'push'] } }), undefined, ['email:cp-email', 'sms:cp-sms', 'push:cp-push', 'inbox:-']],
    ['the category order beats the general one', allFour, aCitizen({ channelOrder: { tax: ['sms'], '*': ['push'] } }), undefined, ['sms:cp-sms', 'inbox:-']],
    ['the general order for other categories', anEventType({ category: 'health' }), aCitizen({ channelOrder: { tax: ['sms'], '*': ['email'] } }), undefined, ['email:cp-email', 'inbox:-']],
    ['no order at all: the inbox only', allFour, aCitizen({ channelOrder: {} }), undefined, ['inbox:-']],
    ['unverified contact points are skipped', allFour, aCitizen({ contacts: [contact('cp-push', 'push', false), contact('cp-sms', 'sms')] }), undefined, ['sms:cp-sms', 'inbox:-']],
    ['the first verified point of a channel', allFour, aCitizen({ channelOrder: { '*': ['sms'] }, contacts: [contact('old', 'sms', false), contact('new', 'sms'), contact('spare', 'sms')] }), undefined, ['sms:new', 'inbox:-']],
    ['channels the type does not allow are skipped', anEventType({ allowedChannels: ['sms', 'inbox'] }), everyone, undefined, ['sms:cp-sms', 'inbox:-']],
    ['channels without a template are skipped', anEventType({ templatedChannels: ['email', 'inbox'] }), everyone, undefined, ['email:cp-email', 'inbox:-']],
    ['an allowed channel the citizen did not order is not used', anEventType({ allowedChannels: ['whatsapp', 'sms'], templatedChannels: ['whatsapp', 'sms'] }), everyone, undefined, ['sms:cp-sms']],
    ['unhealthy routes are skipped', allFour, everyone, new Set<ChannelName>(['sms', 'email']), ['sms:cp-sms', 'email:cp-email', 'inbox:-']],
    ['the inbox needs no route, so health never excludes it', allFour, everyone, new Set<ChannelName>(), ['inbox:-']],
    ['an inbox the citizen ordered keeps its place', allFour, aCitizen({ channelOrder: { '*': ['inbox', 'push', 'inbox'] } }), undefined, ['inbox:-', 'push:cp-push']],
    ['no inbox when the type does not allow it', anEventType({ allowedChannels: ['push', 'sms'] }), everyone, undefined, ['push:cp-push', 'sms:cp-sms']],
    ['nothing fits: not sent', anEventType({ allowedChannels: ['whatsapp'] }), aCitizen(), undefined, null],
    ['nothing healthy and no inbox: not sent', anEventType({ allowedChannels: ['push'] }), everyone, new Set<ChannelName>(['sms']), null],
  ])('%s', (_name, type, citizen, healthy, expected) => {
    expect(chain(type, citizen, healthy)).toEqual(expected);
  });

  it('records the target and the fallback chain, and suppresses with NO_CHANNEL when nothing fits', () => {
    const sent = decideOne(anEvent(), aCitizen());
    expect(sent.decisions.find((d) => d.step === 'channel')).toEqual({ step: 'channel', code: 'CHANNEL_CHOSEN', params: { channel: 'push', fallback: 'sms>email>inbox' } });

    const alone = decideOne(anEvent({ type: anEventType({ allowedChannels: ['sms'] }) }), aCitizen());
    expect(alone.decisions.find((d) => d.step === 'channel')?.params).toEqual({ channel: 'sms', fallback: '' });

    const unreachable = decideOne(anEvent({ type: anEventType({ allowedChannels: ['whatsapp'] }) }), aCitizen());
    expect(unreachable.verdict).toEqual({ state: 'suppressed', reason: 'NO_CHANNEL' });
    expect(unreachable.decisions.at(-1)).toEqual({ step: 'channel', code: 'NO_CHANNEL', params: {} });
  });

  it.each([
    ['the platform deadline when the type sets none', null, DEFAULT_PLATFORM_POLICY.fallbackAfterSeconds],
    ['the type’s own deadline', 120, 120],
  ])('falls back after %s', (_name, fromType, expected) => {
    const { verdict } = decideOne(anEvent({ type: anEventType({ fallbackAfterSeconds: fromType }) }), aCitizen());
    expect(verdict).toMatchObject({ state: 'accepted', fallbackAfterSeconds: expected });
  });
});
