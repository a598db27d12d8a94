// The live board of one unit (电子监控图版): its children as cards coloured by their villages' lights,
// a breadcrumb back up, a summary chart and the feed of changes. Live: lightChanged(unitId) for the shown
// unit; each change moves one village from one light to another in the counts of the child it happened
// under (highlighted for two seconds) and of the unit — no request per change, and the changes of one
// animation frame in one render (a hidden page renders nothing until shown again); the whole board is
// re-read when the socket (re)connects.
import { Anchor, Grid, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link } from 'wouter';
import { LEVEL_LABEL, formatNumber } from '../format.js';
import { onLive, subscribe } from '../graphql/client.js';
import { BOARD, LIGHT_CHANGED } from '../graphql/operations.js';
import { NotFoundPage } from '../pages/NotFoundPage.js';
import { Chart, type ChartOption } from './Chart.js';
import { LiveFeed, feedKey, type FeedItem } from './LiveFeed.js';
import { applyDelta, everyFrame, noPending, queueChange } from './liveBatch.js';
import { UnitBreadcrumbs } from './UnitBreadcrumbs.js';
import { UnitCard, type UnitLights } from './UnitCard.js';
import { useQuery } from './useQuery.js';

const FEED_MAX = 50;
const FRAMES = { request: (f: () => void) => requestAnimationFrame(f), cancel: (h: number) => cancelAnimationFrame(h) };
const FLASH_MS = 2000;

export function Board({ code, title = true }: { code: string; title?: boolean }) {
  const q = useQuery(BOARD, { code });
  const unit = q.data?.adminUnit;
  const [self, setSelf] = useState<UnitLights | null>(null);
  const [children, setChildren] = useState<UnitLights[]>([]);
  const [flash, setFlash] = useState<ReadonlySet<string>>(new Set());
  const [feed, setFeed] = useState<FeedItem[]>([]);
  /** the subscription is up and the lights were re-read after it (data-live="on") */
  const [live, setLive] = useState(false);
  const refetch = q.refetch;
  const seen = useRef(new Set<string>());
  const childIds = useRef(new Set<string>());

  useEffect(() => {
    setSelf(unit ?? null);
    const list = unit?.children.edges.map((e) => e.node) ?? [];
    setChildren(list);
    childIds.current = new Set(list.map((c) => c.id));
  }, [unit]);

  const unitId = unit?.id;
  /** a re-read of the board is in flight; `again`: a change arrived meanwhile, read once more after it */
  const rereading = useRef(false);
  const again = useRef(false);
  useEffect(() => {
    if (!unitId) return;
    let pending = noPending<FeedItem & { village: { id: string } }>();
    /** when each highlighted card and new feed item stops being highlighted (performance.now()); one timer for all */
    const flashUntil = new Map<string, number>();
    let sweepTimer: ReturnType<typeof setTimeout> | null = null;
    const sweep = () => {
      sweepTimer = null;
      const now = performance.now();
      for (const [id, t] of flashUntil) if (t <= now) flashUntil.delete(id);
      setFlash(new Set(flashUntil.keys()));
      if (flashUntil.size) sweepTimer = setTimeout(sweep, Math.max(0, Math.min(...flashUntil.values()) - now));
    };
    const frame = everyFrame(() => {
      const p = pending;
      pending = noPending();
      if (p.feed.length) setFeed((f) => [...p.feed, ...f].slice(0, FEED_MAX));
      if (p.self) setSelf((u) => u && applyDelta(u, p.self!));
      if (p.children.size) setChildren((cs) => cs.map((c) => (p.children.has(c.id) ? applyDelta(c, p.children.get(c.id)!) : c)));
      if (p.flash.size || p.feed.length) {
        const until = performance.now() + FLASH_MS;
        for (const id of p.flash) flashUntil.set(id, until);
        for (const f of p.feed) flashUntil.set(feedKey(f.eventId), until);
        setFlash(new Set(flashUntil.keys()));
        if (sweepTimer === null) sweepTimer = setTimeout(sweep, FLASH_MS);
      }
    }, FRAMES);
    const stop = subscribe(LIGHT_CHANGED, { unitId }, (d) => {
      const e = d.lightChanged;
      if (seen.current.has(e.eventId)) return;
      seen.current.add(e.eventId);
      if (seen.current.size > 10 * FEED_MAX) seen.current = new Set([...seen.current].slice(-FEED_MAX));
      const v = e.village;
      // the child of the shown unit the village lies under (or is)
      const child = [v.id, ...v.ancestors.map((a) => a.id)].find((id) => childIds.current.has(id));
      const path = v.ancestors
        .slice(-2)
        .map((a) => a.name)
        .join(' ');
      const item = { eventId: e.eventId, at: e.at, from: e.from, to: e.to, village: v, path: path ? `${path} ` : '' };
      if (rereading.current) {
        // the board is being re-read and may or may not hold this change yet: read it again afterwards
        again.current = true;
        queueChange(pending, item, FEED_MAX, { child });
      } else {
        // the change itself says what moved: one village from one light to another (no request per change)
        queueChange(pending, item, FEED_MAX, { unitId, child, apply: true });
      }
      frame.request();
    });
    // (re)connected: re-read the board, so that a change committed before the subscription was in place
    // (or while the socket was down) is not missed; changes that arrive meanwhile cause one more read
    const reread = async () => {
      setLive(false);
      rereading.current = true;
      // the changes not yet applied were committed before this read: it holds them
      pending.self = undefined;
      pending.children.clear();
      try {
        do {
          again.current = false;
          await refetch();
        } while (again.current);
      } finally {
        rereading.current = false;
      }
      setLive(true);
    };
    const off = onLive(() => void reread());
    return () => {
      off();
      stop();
      frame.cancel();
      if (sweepTimer !== null) clearTimeout(sweepTimer);
    };
  }, [unitId, refetch]);

  const counts = self?.lightCounts;
  const option = useMemo<ChartOption | null>(
    () =>
      counts
        ? {
            // a change moves one village: an animated redraw of the ring per change would cost a wall screen
            // more than it shows
            animation: false,
            tooltip: { trigger: 'item' },
            series: [
              {
                type: 'pie',
                radius: ['45%', '75%'],
                label: { formatter: '{b} {c}' },
                data: [
                  { name: '绿灯', value: counts.green, itemStyle: { color: '#2b8a3e' } },
                  { name: '黄灯', value: counts.yellow, itemStyle: { color: '#e8a400' } },
                  { name: '红灯', value: counts.red, itemStyle: { color: '#c92a2a' } },
                ],
              },
            ],
          }
        : null,
    [counts],
  );

  if (q.loading && !unit) return <Loader aria-label="加载中" />;
  if (q.error?.code === 'NOT_FOUND' || (q.data && !unit)) return <NotFoundPage />;
  if (q.error) return <Text c="red">{q.error.message}</Text>;
  if (!unit || !self) return null;
  return (
    <Stack data-testid="board" data-unit={unit.code} data-live={live ? 'on' : 'off'}>
      <UnitBreadcrumbs ancestors={unit.ancestors} name={unit.name} />
      <Group justify="space-between">
        {title ? (
          <Title order={2} data-testid="board-title">
            {unit.name} · 监控图版
          </Title>
        ) : (
          <Text fw={700} data-testid="board-title">
            {unit.name}
          </Text>
        )}
        <Group gap="md">
          <Text size="sm">
            {LEVEL_LABEL[unit.level]} · 下级 {formatNumber(children.length)} 个 · 绿 {formatNumber(self.lightCounts.green)} · 黄{' '}
            {formatNumber(self.lightCounts.yellow)} · 红 {formatNumber(self.lightCounts.red)}
          </Text>
          <Text size="sm" data-testid="live-status">
            {live ? (
              <>
                <span className="light-dot" data-light="GREEN" aria-hidden="true" />
                实时
              </>
            ) : (
              '连接中…'
            )}
          </Text>
          <Anchor component={Link} href={`/dashboard/${unit.code}`}>
            统计
          </Anchor>
          <Anchor component={Link} href={`/ledgers/${unit.code}`}>
            台账
          </Anchor>
        </Group>
      </Group>
      <Grid>
        <Grid.Col span={{ base: 12, md: 8 }}>
          {children.length === 0 ? (
            <Text>没有下级单位。</Text>
          ) : (
            <div className="board-grid" data-testid="board-grid">
              {children.map((c) => (
                <UnitCard key={c.id} unit={c} flash={flash.has(c.id)} />
              ))}
            </div>
          )}
          {unit.children.pageInfo.hasNextPage && (
            <Text size="sm">
              仅显示前 {formatNumber(children.length)} 个下级单位（共 {formatNumber(unit.children.totalCount)} 个）。
            </Text>
          )}
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Stack>
            {option && (
              <Chart option={option} label={`${unit.name}：绿灯 ${counts!.green} 个，黄灯 ${counts!.yellow} 个，红灯 ${counts!.red} 个`} height={200} />
            )}
            <LiveFeed items={feed} fresh={flash} />
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
