// A record of a table as read from its file (CSV or spreadsheet), before its cells are typed:
// each field's text and where it starts. Apart from table.ts so that the streaming tokenizer,
// which table.ts uses, can name it without an import circle.

export interface Field {
  text: string;
  line: number;
  column: number;
  /** A spreadsheet's cell reference (B7). */
  ref?: string;
}

export interface RawRecord {
  line: number;
  fields: Field[];
}
