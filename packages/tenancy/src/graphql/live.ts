import { Arg, Ctx, Field, FieldResolver, ID, ObjectType, registerEnumType, Resolver, Root, Subscription } from 'type-graphql';
import type { JicengContext } from '../context.js';
import type { AdminUnitRow } from '../entities/admin-unit.entity.js';
import { unitLoader } from '../loaders.js';
import { subtreeEvents } from '../live.js';
import { AdminUnit } from './admin-unit.types.js';

/** A village's warning light. Shared with the warning module: import it from @jiceng/tenancy. */
export enum Light {
  GREEN = 'GREEN',
  YELLOW = 'YELLOW',
  RED = 'RED',
}
registerEnumType(Light, { name: 'Light', description: "A village's warning light: GREEN normal (正常), YELLOW warning (进入警示状态), RED needs rectification now (急需治理整顿)" });

/** The channel a light change is announced on: `select pg_notify('jiceng_light_changed', <LightChangedEvent as JSON>)`. */
export const LIGHT_CHANGED_CHANNEL = 'jiceng_light_changed';

/** The NOTIFY payload of a light change (docs/architecture.md, "Live"). */
export interface LightChangedEvent {
  /** the village's database id */
  villageId: string;
  /** the village's ltree path */
  path: string;
  from: Light;
  to: Light;
  /** when it changed, ISO 8601 */
  at: string;
  eventId: string;
}

const LIGHTS = new Set<string>(Object.values(Light));
const PATH = /^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/;

/** The payload as sent, or null when it is not a light change (the transport logs and drops it). */
export function parseLightChanged(payload: unknown): LightChangedEvent | null {
  const p = payload as Record<string, unknown> | null;
  if (!p || typeof p !== 'object') return null;
  const { villageId, path, from, to, at, eventId } = p;
  if (!/^\d{1,18}$/.test(String(villageId)) || typeof path !== 'string' || !PATH.test(path)) return null;
  if (!LIGHTS.has(from as string) || !LIGHTS.has(to as string)) return null;
  if (typeof at !== 'string' || Number.isNaN(Date.parse(at)) || eventId == null) return null;
  return { villageId: String(villageId), path, from: from as Light, to: to as Light, at, eventId: String(eventId) };
}

@ObjectType({ description: "A change of a village's light" })
export class LightChange {
  @Field(() => Light)
  from!: Light;

  @Field(() => Light)
  to!: Light;

  @Field(() => String, { description: 'when the light changed (ISO 8601)' })
  at!: string;

  @Field(() => ID, { description: 'the change event, for de-duplication' })
  eventId!: string;
}

@Resolver(() => LightChange)
export class LiveResolver {
  @Subscription(() => LightChange, {
    description: "Every light change of the villages in that unit's subtree, as it happens (WebSocket, graphql-ws)",
    subscribe: ({ args, context }) => subtreeEvents(context as JicengContext, LIGHT_CHANGED_CHANNEL, (args as { unitId: string }).unitId, parseLightChanged),
  })
  lightChanged(@Arg('unitId', () => ID) _unitId: string, @Root() event: LightChangedEvent): LightChangedEvent {
    return event;
  }

  @FieldResolver(() => AdminUnit, { description: 'the village, read under your scope' })
  async village(@Root() event: LightChangedEvent, @Ctx() ctx: JicengContext): Promise<AdminUnitRow> {
    const unit = await unitLoader(ctx).load(event.villageId);
    if (!unit) throw new Error('the village of a delivered light change is not visible'); // the path was checked
    return unit;
  }
}
