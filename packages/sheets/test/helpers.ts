import ExcelJS from 'exceljs';
import type { TestApp, TestUser } from '@jiceng/testkit';
import { expect } from '@jiceng/testkit';

export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export const base = (app: TestApp) => app.url.replace(/\/graphql$/, '');

/** An XLSX built with exceljs: one data sheet (rows of cell values, the first the header) and a 说明 sheet. */
export async function xlsx(sheet: string, rows: unknown[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(sheet);
  for (const r of rows) ws.addRow(r);
  wb.addWorksheet('说明').addRow(['test']);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export const csv = (rows: unknown[][], bom = true) =>
  Buffer.from((bom ? '\uFEFF' : '') + rows.map((r) => r.map((c) => (/[",\n]/.test(String(c ?? '')) ? `"${String(c).replace(/"/g, '""')}"` : String(c ?? ''))).join(',')).join('\r\n') + '\r\n', 'utf8');

/** POSTs a file to /import/<kind> and answers the HTTP status and the JSON body. */
export async function upload(app: TestApp, user: TestUser | null, kind: string, body: Buffer, type: string, query = 'wait=1'): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base(app)}/import/${kind}?${query}`, {
    method: 'POST',
    headers: { 'content-type': type, ...(user ? { authorization: `Bearer ${user.token}` } : {}) },
    body: new Uint8Array(body),
  });
  return { status: res.status, body: await res.json() };
}

/** GET /import/jobs/<id> as a user. */
export async function job(app: TestApp, user: TestUser, id: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base(app)}/import/jobs/${id}`, { headers: { authorization: `Bearer ${user.token}` } });
  return { status: res.status, body: await res.json() };
}

/** Polls a job until it has ended, with a deadline. */
export async function ended(app: TestApp, user: TestUser, id: string, deadlineMs = 60_000): Promise<any> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const { body } = await job(app, user, id);
    if (body.state === 'DONE' || body.state === 'FAILED') return body;
    expect(Date.now()).toBeLessThan(until);
    await new Promise((r) => setImmediate(r));
  }
}
