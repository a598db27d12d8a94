// Setting a region's indicator catalogue (categories → items → indicators) from an effective date, from
// above like the other standards. SQL lives in warning.store.ts.
import { badInput, localDate } from '@jiceng/core';
import type { EntityManager } from '@jiceng/db';
import { assertCanFromAbove, requireUnit, type Principal } from '@jiceng/tenancy';
import type { CatalogRow } from './catalog.js';
import * as store from './warning.store.js';

export interface CatalogInput {
  code: string;
  name: string;
  items: { code: string; name: string; indicators: { code: string; name: string }[] }[];
}

/** Limits of a catalogue: codes leave room for 99 items per category and 99 indicators per item. */
export const CATALOG_LIMITS = { categories: 20, itemsPerCategory: 99, indicatorsPerItem: 99, indicators: 1000, name: 200 };

function checkedName(field: string, value: string): string {
  const name = value.trim();
  if (!name) throw badInput(field, 'must not be empty');
  if ([...name].length > CATALOG_LIMITS.name) throw badInput(field, `must be at most ${CATALOG_LIMITS.name} characters`);
  return name;
}

/**
 * The catalogue as indicator rows, validated: category codes of two capital letters (`PB`), item codes
 * the category's code and two digits (`PB01`), indicator codes the item's code, a dash and two digits
 * (`PB01-01`); every code unique; every category with an item, every item with an indicator; names
 * 1 to 200 characters.
 */
export function catalogInputRows(categories: CatalogInput[]): CatalogRow[] {
  if (!categories.length) throw badInput('categories', 'must hold at least one category');
  if (categories.length > CATALOG_LIMITS.categories) throw badInput('categories', `must hold at most ${CATALOG_LIMITS.categories} categories`);
  const seen = new Set<string>();
  const unique = (field: string, code: string) => {
    if (seen.has(code)) throw badInput(field, `the code ${code} is used twice`);
    seen.add(code);
  };
  const rows: CatalogRow[] = [];
  categories.forEach((c, ci) => {
    const at = `categories[${ci}]`;
    const code = c.code.trim();
    if (!/^[A-Z]{2}$/.test(code)) throw badInput(`${at}.code`, 'a category code is two capital letters, e.g. PB');
    unique(`${at}.code`, code);
    const name = checkedName(`${at}.name`, c.name);
    if (!c.items.length) throw badInput(`${at}.items`, 'a category must hold at least one item');
    if (c.items.length > CATALOG_LIMITS.itemsPerCategory) throw badInput(`${at}.items`, `must hold at most ${CATALOG_LIMITS.itemsPerCategory} items`);
    c.items.forEach((item, ii) => {
      const iat = `${at}.items[${ii}]`;
      const itemCode = item.code.trim();
      if (!new RegExp(`^${code}[0-9]{2}$`).test(itemCode)) throw badInput(`${iat}.code`, `an item code is its category's code and two digits, e.g. ${code}01`);
      unique(`${iat}.code`, itemCode);
      const itemName = checkedName(`${iat}.name`, item.name);
      if (!item.indicators.length) throw badInput(`${iat}.indicators`, 'an item must hold at least one indicator');
      if (item.indicators.length > CATALOG_LIMITS.indicatorsPerItem) throw badInput(`${iat}.indicators`, `must hold at most ${CATALOG_LIMITS.indicatorsPerItem} indicators`);
      item.indicators.forEach((ind, k) => {
        const kat = `${iat}.indicators[${k}]`;
        const indCode = ind.code.trim();
        if (!new RegExp(`^${itemCode}-[0-9]{2}$`).test(indCode)) throw badInput(`${kat}.code`, `an indicator code is its item's code, a dash and two digits, e.g. ${itemCode}-01`);
        unique(`${kat}.code`, indCode);
        rows.push({ position: rows.length + 1, categoryCode: code, categoryName: name, itemCode, itemName, code: indCode, name: checkedName(`${kat}.name`, ind.name) });
        if (rows.length > CATALOG_LIMITS.indicators) throw badInput('categories', `must hold at most ${CATALOG_LIMITS.indicators} indicators`);
      });
    });
  });
  return rows;
}

/**
 * Sets a region's catalogue from a day on (today or later), from strictly above the region. Another
 * catalogue set on the region for the same day is replaced while it is not yet in force; one in force is
 * BAD_USER_INPUT. Lights and open warnings on indicators the new catalogue drops stay until resolved.
 */
export async function setIndicatorCatalog(em: EntityManager, p: Principal, unitId: string, effectiveOnText: string, categories: CatalogInput[]): Promise<string> {
  const effectiveOn = localDate(effectiveOnText, 'effectiveOn');
  const unit = await requireUnit(em, unitId);
  assertCanFromAbove(p, 'warning:catalog', { path: unit.path, what: 'admin unit' });
  if (unit.level !== 'REGION') throw badInput('unitId', 'a catalogue is set on a region');
  const rows = catalogInputRows(categories);
  const [todayRow] = await em.execute<{ d: string }[]>(`select to_char(current_date, 'YYYY-MM-DD') as d`);
  if (effectiveOn < todayRow!.d) throw badInput('effectiveOn', 'must not be in the past: a catalogue applies from today or a later day');
  const same = await store.catalogOn(em, unit.id, effectiveOn);
  if (same) {
    if (effectiveOn <= todayRow!.d) throw badInput('effectiveOn', 'a catalogue is in force on this region from this day already');
    await store.deleteCatalog(em, same);
  }
  return store.insertCatalog(em, unit.id, effectiveOn, rows);
}
