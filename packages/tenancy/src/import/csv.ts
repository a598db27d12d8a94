/** A small RFC 4180 reader: quoted fields, doubled quotes, CRLF or LF. Yields [lineNumber, fields]. */
export function* readCsv(text: string): Generator<[number, string[]]> {
  let line = 1;
  let i = 0;
  const n = text.length;
  if (text.charCodeAt(0) === 0xfeff) i = 1; // BOM
  while (i < n) {
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
