// Data tables (under `tables:`, neither printed nor charted) are not held: their rows are read
// once, as the check stage goes over them, and dropped, so a million-row file costs what the
// rules and figures keep and not a million rows of cells. Large UTF-8 files are streamed with
// cells reused from row to row; the rest (small files, GB18030, UTF-16, broken quoting) go
// through the in-memory reader. Either way the reader of the rows sees the same row events
// and the same messages (test/stream.test.ts compares the two).
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { MessageList, type Message } from '../messages.js';
import type { TableSpec } from '../schema.js';
import { parseTable, type At, type Table } from './table.js';
import { cellPlace, eachRow, type RowHandler } from './rows.js';
import { RowReader } from './stream-row.js';
import { CsvStream } from './csv-stream.js';
import { looksBinary } from './decode.js';

/** Below this size a file is read at once: streaming gains nothing. */
const STREAM_FROM_BYTES = 1 << 20;

/** A data table whose rows are read when it is checked: where it is, and what it declares. */
export interface StreamedTable {
  id: string;
  /** Display path of the file, as used in messages. */
  file: string;
  spec: TableSpec;
  /** The file on disk. */
  path: string;
  streamed: true;
}

export interface RowsRead {
  /** The file's encoding; undefined when the file cannot be read as a table (the messages say
   * why), and then any row already given is void. */
  encoding?: Table['encoding'];
  /** The reader's problems: the file, its header, its cells. */
  messages: Message[];
}

/**
 * Read every row of a streamed table, each to the handler `start` returns. A stream that
 * turns out irregular part-way (a stray quote, an encoding other than UTF-8) is read again by
 * the in-memory reader: `start` is then called again, and whatever the first handler was told
 * is to be dropped.
 */
export async function readRows(table: StreamedTable, start: () => RowHandler): Promise<RowsRead> {
  if (statSync(table.path).size >= STREAM_FROM_BYTES) {
    const streamed = await streamRows(table, start);
    if (streamed) return streamed;
  }
  const t = parseTable(readFileSync(table.path), table.file, table.spec);
  if (!t.table) return { messages: t.messages };
  eachRow(t.table.rows, table.spec, start());
  return { encoding: t.table.encoding, messages: t.messages };
}

/** Stream a UTF-8 file; undefined when it must be read by the in-memory path instead. */
async function streamRows({ path: fileOnDisk, file, spec }: StreamedTable, start: () => RowHandler): Promise<RowsRead | undefined> {
  const messages = new MessageList();
  const at: At = (where, reason, hint, rule, severity = 'error') =>
    messages.push({ severity, ...cellPlace(file, where), reason, ...(hint && { hint }), rule });
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let encoding: 'utf-8' | 'utf-8-bom' | undefined;
  let reader: RowReader | undefined;
  let onRow: RowHandler | undefined;
  const csv = new CsvStream({
    onFields(line, fields) {
      if (!reader) {
        const header = { line, fields: Array.from({ length: fields.count }, (_, k) => ({ text: fields.text[k]!, line: fields.line[k]!, column: fields.column[k]! })) };
        reader = new RowReader(header, spec, at);
        onRow = start();
        return;
      }
      if (reader.read(line, fields)) onRow!(reader);
    },
  });
  const input = createReadStream(fileOnDisk, { highWaterMark: 1 << 16 });
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      if (encoding === undefined) {
        if ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff)) return undefined; // UTF-16
        encoding = chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf ? 'utf-8-bom' : 'utf-8';
        const text = decoder.decode(chunk, { stream: true });
        if (looksBinary(text) || !csv.push(text, false)) return undefined;
        continue;
      }
      // Not UTF-8 (GB18030) throws here; a NUL means binary: both go to the in-memory path.
      const text = decoder.decode(chunk, { stream: true });
      if (text.includes('\u0000') || !csv.push(text, false)) return undefined;
    }
    if (!csv.push(decoder.decode(), true)) return undefined;
  } catch {
    return undefined;
  } finally {
    input.destroy();
  }
  if (!reader) return undefined; // no header: the in-memory path says so
  return { encoding, messages: messages.messages() };
}
