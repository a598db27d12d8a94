// The scrolling feed of the latest light changes (信息内容不停滚动): newest first, announced politely. It
// moves only when a change arrives (no marquee, no timer, no animation): a new item is highlighted for two
// seconds (`fresh`, the board's one highlight timer) — two repaints, where a fade repaints every frame.
import { Paper, Text, Title } from '@mantine/core';
import { memo } from 'react';
import { Link } from 'wouter';
import { LIGHT_LABEL, formatDateTime } from '../format.js';

export interface FeedItem {
  eventId: string;
  at: string;
  from: keyof typeof LIGHT_LABEL;
  to: keyof typeof LIGHT_LABEL;
  village: { code: string; name: string };
  /** the township and county names above the village, for context */
  path: string;
}

/** The key of a feed item in the board's set of highlighted things. */
export const feedKey = (eventId: string) => `feed:${eventId}`;

/** One change; an item already shown is not rendered again when newer ones arrive (only when it stops being fresh). */
const FeedRow = memo(function FeedRow({ item: e, fresh }: { item: FeedItem; fresh: boolean }) {
  return (
    <li data-village={e.village.code} data-fresh={fresh ? 'true' : 'false'}>
      <Text size="sm">
        <span className="light-dot" data-light={e.to} aria-hidden="true" />
        {formatDateTime(e.at)} {e.path}
        <Link href={`/village/${e.village.code}`}>{e.village.name}</Link>：{LIGHT_LABEL[e.from]} → {LIGHT_LABEL[e.to]}
      </Text>
    </li>
  );
});

export function LiveFeed({ items, fresh }: { items: FeedItem[]; fresh: ReadonlySet<string> }) {
  return (
    <Paper withBorder p="sm">
      <Title order={2} size="h4" mb="xs">
        最新动态
      </Title>
      {items.length === 0 ? (
        <Text size="sm" c="gray.7">
          暂无变化：灯色变化会实时显示在这里。
        </Text>
      ) : (
        <ul className="live-feed" aria-live="polite" data-testid="live-feed" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
          {items.map((e) => (
            <FeedRow key={e.eventId} item={e} fresh={fresh.has(feedKey(e.eventId))} />
          ))}
        </ul>
      )}
    </Paper>
  );
}
