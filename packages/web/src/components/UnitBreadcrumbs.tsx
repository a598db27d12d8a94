// The way back up: the ancestors within the caller's scope, each a link to its board, then the unit itself.
import { Anchor, Breadcrumbs, Text } from '@mantine/core';
import { Link } from 'wouter';

export function UnitBreadcrumbs({ ancestors, name }: { ancestors: readonly { id: string; code: string; name: string }[]; name: string }) {
  return (
    <nav aria-label="上级单位">
      <Breadcrumbs>
        {ancestors.map((a) => (
          <Anchor component={Link} key={a.id} href={`/board/${a.code}`}>
            {a.name}
          </Anchor>
        ))}
        <Text aria-current="page">{name}</Text>
      </Breadcrumbs>
    </nav>
  );
}
