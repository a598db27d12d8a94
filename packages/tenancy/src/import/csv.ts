/**
 * A small RFC 4180 reader: quoted fields, doubled quotes, CRLF, LF or CR. Yields [lineNumber, fields]
 * and skips empty lines. Records without quotes (nearly all of a code list) take a fast path.
 */
export function* readCsv(text: string): Generator<[number, string[]]> {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // BOM
  if (!text.includes('\n')) text = text.replace(/\r/g, '\n'); // old Mac line ends
  const n = text.length;
  let line = 1;
  let i = 0;
  let nextQuote = text.indexOf('"');
  while (i < n) {
    let end = text.indexOf('\n', i);
    if (end === -1) end = n;
    if (nextQuote !== -1 && nextQuote < i) nextQuote = text.indexOf('"', i);
    if (nextQuote === -1 || nextQuote > end) {
      const record = text.charCodeAt(end - 1) === 13 ? text.slice(i, end - 1) : text.slice(i, end);
      if (record !== '') yield [line, record.split(',')];
      line++;
      i = end + 1;
      continue;
    }
    const start = line;
    const fields: string[] = [];
    let field = '';
    let quoted = false;
    for (; i < n; i++) {
      const c = text[i]!;
      if (quoted) {
        if (c === '"') {
          if (text[i + 1] === '"') { field += '"'; i++; } else quoted = false;
        } else {
          if (c === '\n') line++;
          field += c;
        }
      } else if (c === '"') quoted = true;
      else if (c === ',') { fields.push(field); field = ''; }
      else if (c === '\n' || c === '\r') {
        if (c === '\r' && text[i + 1] === '\n') i++;
        i++;
        line++;
        break;
      } else field += c;
    }
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === '')) yield [start, fields];
  }
}
