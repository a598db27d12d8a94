// A table of figures with a caption and a header row (the numbers behind a chart, a list on a page).
import { Table } from '@mantine/core';
import type { ReactNode } from 'react';

export function FigureTable({ caption, head, rows, testId }: { caption?: string; head: string[]; rows: { key: string; cells: ReactNode[] }[]; testId?: string }) {
  return (
    <Table striped withTableBorder captionSide="top" data-testid={testId}>
      {caption && <Table.Caption c="gray.7">{caption}</Table.Caption>}
      <Table.Thead><Table.Tr>{head.map((h) => <Table.Th key={h}>{h}</Table.Th>)}</Table.Tr></Table.Thead>
      <Table.Tbody>
        {rows.map((r) => <Table.Tr key={r.key}>{r.cells.map((c, i) => <Table.Td key={head[i] ?? i}>{c}</Table.Td>)}</Table.Tr>)}
      </Table.Tbody>
    </Table>
  );
}
