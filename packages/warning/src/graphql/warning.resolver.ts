import { Arg, Ctx, Field, FieldResolver, ID, InputType, Int, Mutation, ObjectType, Query, Resolver, Root, registerEnumType } from 'type-graphql';
import { fromGlobalId, toGlobalId } from '@jiceng/core';
import {
  AdminUnit, LocalDateScalar, assertCan, oneByKey, requirePrincipal, requireUnit, unitDbId, unitLoader, type AdminUnitRow, type JicengContext, Light } from '@jiceng/tenancy';
import * as store from '../warning.store.js';
import { assertStatsYear, reportWarning, resolveWarning } from '../warning.service.js';
import { setIndicatorCatalog } from '../catalog.service.js';

// one Light enum for the API: tenancy's, which the lightChanged subscription uses too
export { Light };
export enum WarningLevel { YELLOW = 'YELLOW', RED = 'RED' }
registerEnumType(WarningLevel, { name: 'WarningLevel', description: 'The light a report raises' });
export enum Severity { MINOR = 'MINOR', ORDINARY = 'ORDINARY', MAJOR = 'MAJOR' }
registerEnumType(Severity, { name: 'Severity', description: 'MINOR stays with the village manager, ORDINARY goes to the township station, MAJOR to the county centre' });
export enum HandlerLevel { VILLAGE = 'VILLAGE', TOWNSHIP = 'TOWNSHIP', COUNTY = 'COUNTY', CITY = 'CITY' }
registerEnumType(HandlerLevel, { name: 'HandlerLevel', description: 'Who handles a warning now: village manager, township station, county centre, city centre' });

@ObjectType() export class Indicator {
  @Field(() => String) code!: string;
  @Field(() => String) name!: string;
}
@ObjectType() export class IndicatorItem {
  @Field(() => String) code!: string;
  @Field(() => String) name!: string;
  @Field(() => [Indicator]) indicators!: Indicator[];
}
@ObjectType({ description: 'A category of the dynamic-management indicators (5 in seed 002)' })
export class IndicatorCategory {
  @Field(() => String) code!: string;
  @Field(() => String) name!: string;
  @Field(() => [IndicatorItem]) items!: IndicatorItem[];
}

@InputType() export class IndicatorInput {
  @Field(() => String, { description: 'its item\'s code, a dash and two digits: PB01-01' }) code!: string;
  @Field(() => String) name!: string;
}
@InputType() export class IndicatorItemInput {
  @Field(() => String, { description: 'its category\'s code and two digits: PB01' }) code!: string;
  @Field(() => String) name!: string;
  @Field(() => [IndicatorInput]) indicators!: IndicatorInput[];
}
@InputType() export class IndicatorCategoryInput {
  @Field(() => String, { description: 'two capital letters: PB' }) code!: string;
  @Field(() => String) name!: string;
  @Field(() => [IndicatorItemInput]) items!: IndicatorItemInput[];
}

/** Indicator rows (in catalogue order) as categories → items → indicators. */
function toCategories(rows: store.IndicatorRow[]): IndicatorCategory[] {
  const categories: IndicatorCategory[] = [];
  for (const r of rows) {
    let cat = categories.at(-1);
    if (cat?.code !== r.categoryCode) {
      cat = { code: r.categoryCode, name: r.categoryName, items: [] };
      categories.push(cat);
    }
    let item = cat.items.at(-1);
    if (item?.code !== r.itemCode) {
      item = { code: r.itemCode, name: r.itemName, indicators: [] };
      cat.items.push(item);
    }
    item.indicators.push({ code: r.code, name: r.name });
  }
  return categories;
}

@ObjectType({ description: 'Villages by light in a subtree (a village counts itself once)' })
export class LightCounts {
  @Field(() => Int) green!: number;
  @Field(() => Int) yellow!: number;
  @Field(() => Int) red!: number;
}

@ObjectType({ description: 'A village\'s light in one category of the indicator catalogue: its worst indicator there' })
export class CategoryLight {
  @Field(() => String) code!: string;
  @Field(() => String) name!: string;
  @Field(() => Light) light!: string;
}

@ObjectType({ description: 'Dynamic-management figures of a subtree for a year (by the day observed; disputes by the day recorded)' })
export class WarningStats {
  @Field(() => Int) yellowRaised!: number;
  @Field(() => Int) redRaised!: number;
  @Field(() => Int, { description: 'warnings of the year resolved since' }) resolved!: number;
  @Field(() => Int, { description: 'warnings of the year still open' }) open!: number;
  @Field(() => Int) disputes!: number;
  @Field(() => Int) disputesResolved!: number;
}

@ObjectType({ description: 'A warning: one report of a change in one indicator of one village' })
export class Warning {
  @Field(() => ID) id!: string;
  @Field(() => AdminUnit) village!: unknown;
  @Field(() => String) indicatorCode!: string;
  @Field(() => WarningLevel) level!: string;
  @Field(() => Severity) severity!: string;
  @Field(() => HandlerLevel) handlerLevel!: string;
  @Field(() => String) facts!: string;
  @Field(() => LocalDateScalar) observedOn!: string;
  @Field(() => String, { description: 'when the report arrived (ISO 8601)' }) reportedAt!: string;
  @Field(() => Boolean, { description: 'reported more than the standard\'s working days after it was observed' }) late!: boolean;
  @Field(() => LocalDateScalar, { nullable: true, description: 'follow-up (跟踪复查) deadline, in working days' }) followUpDue!: string | null;
  @Field(() => LocalDateScalar, { nullable: true }) resolvedOn!: string | null;
  @Field(() => String, { nullable: true }) resolutionNote!: string | null;
}

@InputType() export class ReportWarningInput {
  @Field(() => ID) villageId!: string;
  @Field(() => String) indicatorCode!: string;
  @Field(() => WarningLevel) level!: string;
  @Field(() => Severity) severity!: string;
  @Field(() => String) facts!: string;
  @Field(() => LocalDateScalar) observedOn!: string;
  @Field(() => String, { description: 'the same key again returns the first report (per account)' }) idempotencyKey!: string;
}

export const warningView = (ctx: JicengContext, w: store.WarningRow) =>
  ({ ...w, id: toGlobalId('Warning', w.id), reportedAt: new Date(w.reportedAt).toISOString(), village: unitLoader(ctx).load(w.unitId) });

@Resolver()
export class WarningResolver {
  @Query(() => [IndicatorCategory], { description: 'The indicator catalogue in force at a unit today (the caller\'s unit when omitted)' })
  async indicatorCatalog(@Ctx() ctx: JicengContext, @Arg('unitId', () => ID, { nullable: true }) unitId?: string) {
    const p = requirePrincipal(ctx);
    const unit = await requireUnit(ctx.em, unitId ? unitDbId(unitId, 'unitId') : p.unitId);
    assertCan(p, 'warning:read', { path: unit.path, what: 'admin unit' });
    const [c] = await store.catalogsInForce(ctx.em, [unit.path]);
    if (!c?.catalogId) return [];
    return toCategories(await store.indicatorsOf(ctx.em, [c.catalogId]));
  }

  @Mutation(() => [IndicatorCategory], {
    description: 'Sets a region\'s indicator catalogue from a day on (today or later), from a unit above the region; '
      + 'replaces one set for the same day that is not in force yet. Answers the catalogue as set.',
  })
  async setIndicatorCatalog(
    @Arg('unitId', () => ID) unitId: string, @Arg('effectiveOn', () => LocalDateScalar) effectiveOn: string,
    @Arg('categories', () => [IndicatorCategoryInput]) categories: IndicatorCategoryInput[], @Ctx() ctx: JicengContext,
  ) {
    const id = await setIndicatorCatalog(ctx.em, requirePrincipal(ctx), unitDbId(unitId, 'unitId'), effectiveOn, categories);
    return toCategories(await store.indicatorsOf(ctx.em, [id]));
  }

  @Mutation(() => Warning, { description: 'Reports a change in an indicator of a village: the light changes at once, at every level' })
  async reportWarning(@Arg('input', () => ReportWarningInput) input: ReportWarningInput, @Ctx() ctx: JicengContext) {
    const w = await reportWarning(ctx.em, requirePrincipal(ctx), { ...input, villageId: unitDbId(input.villageId, 'villageId') });
    return warningView(ctx, w);
  }

  @Mutation(() => Warning, { description: 'Resolves a warning (with the other open warnings of its indicator): the indicator returns to GREEN' })
  async resolveWarning(@Arg('id', () => ID) id: string, @Arg('on', () => LocalDateScalar) on: string, @Arg('note', () => String) note: string, @Ctx() ctx: JicengContext) {
    const w = await resolveWarning(ctx.em, requirePrincipal(ctx), fromGlobalId(id, 'Warning', 'id'), on, note);
    return warningView(ctx, w);
  }
}

const byUnit = { cacheKeyFn: (u: AdminUnitRow) => u.id };

@Resolver(() => AdminUnit)
export class WarningUnitResolver {
  @FieldResolver(() => Light, { nullable: true, description: 'A village\'s light (its worst indicator); null above the villages' })
  async light(@Root() u: AdminUnitRow, @Ctx() ctx: JicengContext) {
    assertCan(ctx.principal, 'warning:read');
    if (u.level !== 'VILLAGE') return null;
    const row = await ctx.loader<string, { light: store.Light } | null>('warning:light',
      async (ids) => oneByKey(ids, await store.villageLights(ctx.em, ids), (r) => r.unitId)).load(u.id);
    return row?.light ?? 'GREEN';
  }

  @FieldResolver(() => [CategoryLight], { description: 'A village\'s light per category of the indicator catalogue in force there, in catalogue order; empty above the villages' })
  async categoryLights(@Root() u: AdminUnitRow, @Ctx() ctx: JicengContext): Promise<CategoryLight[]> {
    assertCan(ctx.principal, 'warning:read');
    if (u.level !== 'VILLAGE') return [];
    const catalog = await ctx.loader<string, { catalogId: string | null } | null>('warning:catalog-at',
      async (paths) => oneByKey(paths, await store.catalogsInForce(ctx.em, paths), (r) => r.path)).load(u.path);
    if (!catalog?.catalogId) return [];
    const [indicators, lights] = await Promise.all([
      ctx.loader<string, store.IndicatorRow[]>('warning:indicators', async (ids) => {
        const all = await store.indicatorsOf(ctx.em, ids);
        return ids.map((id) => all.filter((r) => r.catalogId === id));
      }).load(catalog.catalogId),
      ctx.loader<string, { indicatorCode: string; light: store.Light }[]>('warning:indicator-lights', async (ids) => {
        const all = await store.indicatorLightsOf(ctx.em, ids);
        return ids.map((id) => all.filter((r) => r.unitId === id));
      }).load(u.id),
    ]);
    const rank = { GREEN: 0, YELLOW: 1, RED: 2 } as const;
    const categories = new Map<string, CategoryLight>();
    const categoryOf = new Map<string, string>();
    for (const r of indicators) {
      if (!categories.has(r.categoryCode)) categories.set(r.categoryCode, { code: r.categoryCode, name: r.categoryName, light: 'GREEN' });
      categoryOf.set(r.code, r.categoryCode);
    }
    for (const l of lights) {
      // an indicator of an older catalogue counts in the category its code begins with (PB01-02: PB)
      const c = categories.get(categoryOf.get(l.indicatorCode) ?? l.indicatorCode.replace(/\d.*$/, ''));
      if (c && rank[l.light] > rank[c.light as store.Light]) c.light = l.light;
    }
    return [...categories.values()];
  }

  @FieldResolver(() => LightCounts, { description: 'Villages of the subtree by light (a rollup); a village counts itself once' })
  async lightCounts(@Root() u: AdminUnitRow, @Ctx() ctx: JicengContext): Promise<LightCounts> {
    assertCan(ctx.principal, 'warning:read');
    if (u.level === 'VILLAGE') {
      const light = await this.light(u, ctx);
      return { green: light === 'GREEN' ? 1 : 0, yellow: light === 'YELLOW' ? 1 : 0, red: light === 'RED' ? 1 : 0 };
    }
    const r = await ctx.loader<AdminUnitRow, store.LightCountsRow | null>('warning:rollup',
      async (units) => oneByKey(units.map((x) => x.path), await store.rollups(ctx.em, units.map((x) => x.path)), (r) => r.unitPath), byUnit).load(u);
    const villages = u.descendantCounts?.VILLAGE ?? 0;
    const yellow = r?.yellow ?? 0;
    const red = r?.red ?? 0;
    return { green: Math.max(0, villages - yellow - red), yellow, red };
  }

  @FieldResolver(() => WarningStats, { description: 'Warnings raised, resolved and open, and disputes, in the subtree for a year' })
  async warningStats(@Root() u: AdminUnitRow, @Arg('year', () => Int) year: number, @Ctx() ctx: JicengContext) {
    assertCan(ctx.principal, 'warning:read');
    assertStatsYear(year);
    return ctx.loader<AdminUnitRow, store.WarningStatsRow | null>(`warning:stats:${year}`,
      async (units) => oneByKey(units.map((x) => x.path), await store.warningStats(ctx.em, units.map((x) => x.path), year), (r) => r.path), byUnit).load(u);
  }
}
