/** One column of a DataTable: its header and how a row reads in it as text. */
export interface Column<Row> {
  key: string;
  /** A message key (locales/*.json): the column's header. */
  label: string;
  text: (row: Row) => string;
  /** Free text the clinic wrote (a visit summary): keep its line breaks. */
  prose?: boolean;
  /** An action (a button) that needs no "Label:" in front of it when rows are shown as cards. */
  action?: boolean;
}
