// A unit of the board: coloured by its own light (a village) or its villages' worst light, with the counts
// in words (colour is never the only signal). A click drills down: a village to its page, others to their board.
import { Group, Paper, Text } from '@mantine/core';
import { memo } from 'react';
import { Link } from 'wouter';
import { LEVEL_LABEL, LIGHT_LABEL, formatNumber } from '../format.js';
import type { ResultOf } from '../graphql/graphql.js';
import type { UNIT_LIGHTS } from '../graphql/operations.js';

export type UnitLights = ResultOf<typeof UNIT_LIGHTS>;
export type Light = keyof typeof LIGHT_LABEL;

/** A village's own light; above the villages the worst light among them. */
export function lightOf(u: UnitLights): Light {
  if (u.light) return u.light;
  return u.lightCounts.red > 0 ? 'RED' : u.lightCounts.yellow > 0 ? 'YELLOW' : 'GREEN';
}

export const hrefOf = (u: { level: string; code: string }) => (u.level === 'VILLAGE' ? `/village/${u.code}` : `/board/${u.code}`);

/** Rendered again only when its own unit or highlight changed (a live change touches one card of the grid). */
export const UnitCard = memo(function UnitCard({ unit, flash }: { unit: UnitLights; flash: boolean }) {
  const light = lightOf(unit);
  const c = unit.lightCounts;
  return (
    <Paper
      component={Link}
      href={hrefOf(unit)}
      withBorder
      p="sm"
      className="unit-card"
      data-testid="unit-card"
      data-code={unit.code}
      data-light={light}
      data-green={c.green}
      data-yellow={c.yellow}
      data-red={c.red}
      data-flash={flash ? 'true' : 'false'}
    >
      <Group justify="space-between" wrap="nowrap">
        <Text fw={700}>{unit.name}</Text>
        <Text size="xs" c="gray.7">
          {LEVEL_LABEL[unit.level]}
        </Text>
      </Group>
      <Text size="sm">
        <span className="light-dot" data-light={light} aria-hidden="true" />
        {LIGHT_LABEL[light]}
      </Text>
      {unit.level !== 'VILLAGE' && (
        <Text size="sm">
          绿 {formatNumber(c.green)} · 黄 {formatNumber(c.yellow)} · 红 {formatNumber(c.red)}
        </Text>
      )}
    </Paper>
  );
});
