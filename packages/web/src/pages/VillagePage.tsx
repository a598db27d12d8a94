// /village/:code — the village's name and light with the way up; the full village page (lights per
// indicator category, warnings, case, pairings, funds) comes with the dashboards work (branch web-pages).
import { Loader, Stack, Text, Title } from '@mantine/core';
import { UnitBreadcrumbs } from '../components/UnitBreadcrumbs.js';
import { useQuery } from '../components/useQuery.js';
import { LIGHT_LABEL } from '../format.js';
import { UNIT } from '../graphql/operations.js';
import { NotFoundPage } from './NotFoundPage.js';

export function VillagePage({ code }: { code: string }) {
  const q = useQuery(UNIT, { code });
  const u = q.data?.adminUnit;
  if (q.loading && !u) return <Loader aria-label="加载中" />;
  if (!u || q.error) return <NotFoundPage />;
  return (
    <Stack data-testid="village" data-code={u.code}>
      <UnitBreadcrumbs ancestors={u.ancestors} name={u.name} />
      <Title order={2}>{u.name}</Title>
      {u.light && (
        <Text>
          <span className="light-dot" data-light={u.light} aria-hidden="true" />
          {LIGHT_LABEL[u.light]}
        </Text>
      )}
    </Stack>
  );
}
