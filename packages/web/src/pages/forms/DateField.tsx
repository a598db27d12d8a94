// A date of the forms, shown and typed as yyyy-mm-dd whatever the browser's locale (issue 14: "dates are
// yyyy-mm-dd"; a native <input type="date"> shows the locale's format, e.g. 2025/12/01 or 12/01/2025).
// Mantine's DateInput with a calendar to pick from (Chinese month and day names, weeks from Monday: the
// DatesProvider in App.tsx). The value is the API's LocalDate string; what is typed is taken only when it is
// a whole, real yyyy-mm-dd date (2025-02-30 is not), and the field shows the last taken date again on blur.
import { DateInput } from '@mantine/dates';

export const DATE_FORMAT = 'YYYY-MM-DD';

/** The calendar's arrow buttons have no text: their names (axe: buttons must have discernible text; the
 * month and year buttons are named by their own text). */
const CALENDAR_LABELS = {
  previousMonth: '上个月',
  nextMonth: '下个月',
  previousYear: '上一年',
  nextYear: '下一年',
  previousDecade: '上一个十年',
  nextDecade: '下一个十年',
};

/** A typed yyyy-mm-dd as itself when it is a real date, else null (nothing taken). */
export function parseDate(text: string): string | null {
  const m = /^\s*(\d{4})-(\d{2})-(\d{2})\s*$/.exec(text);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d ? `${m[1]}-${m[2]}-${m[3]}` : null;
}

export function DateField({ label, value, onChange, error, required }: { label: string; value: string; onChange: (v: string) => void; error?: string; required?: boolean }) {
  return (
    <DateInput
      label={label}
      value={value || null}
      onChange={(v) => onChange(v ?? '')}
      valueFormat={DATE_FORMAT}
      dateParser={parseDate}
      placeholder="yyyy-mm-dd"
      inputMode="numeric"
      ariaLabels={CALENDAR_LABELS}
      // the calendar appears at once: no fade (while it fades in, its text has too little contrast)
      popoverProps={{ transitionProps: { duration: 0 } }}
      required={required}
      error={error}
    />
  );
}
