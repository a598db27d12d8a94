// 查找嘎查村: villages of a unit's subtree by name, each a link to its page (for finance and the other roles
// that do not drill down the board).
import { useState } from 'react';
import { Anchor, Stack, Text, TextInput } from '@mantine/core';
import { Link } from 'wouter';
import { useQuery } from '../components/useQuery.js';
import { VILLAGE_SEARCH } from './operations.js';

function Results({ code, name }: { code: string; name: string }) {
  const q = useQuery(VILLAGE_SEARCH, { code, name });
  const found = q.data?.adminUnit?.search.edges ?? [];
  if (q.loading && !q.data) return <Text size="sm">查找中…</Text>;
  if (found.length === 0) return <Text size="sm">没有找到。</Text>;
  return (
    <Stack gap={2} data-testid="village-search-results">
      {found.map(({ node: v }) => (
        <Anchor key={v.id} component={Link} href={`/village/${v.code}`} c="red.9">
          {v.name}{v.parent ? `（${v.parent.name}）` : ''}
        </Anchor>
      ))}
    </Stack>
  );
}

export function VillageSearch({ code }: { code: string }) {
  const [name, setName] = useState('');
  const term = name.trim();
  return (
    <Stack gap={4} w={260}>
      <TextInput label="查找嘎查村" placeholder="名称" value={name} onChange={(e) => setName(e.currentTarget.value)} />
      {term !== '' && <Results code={code} name={term} />}
    </Stack>
  );
}
