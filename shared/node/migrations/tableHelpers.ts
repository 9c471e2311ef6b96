import { Table, TableIndex } from 'typeorm';
import type { QueryRunner, TableColumnOptions } from 'typeorm';

/** Compact column builders for migrations written with the QueryRunner table API (SQLite and PostgreSQL alike). */
export const col = {
  id: (name = 'id'): TableColumnOptions => ({ name, type: 'varchar', length: '36', isPrimary: true }),
  ref: (name: string, nullable = false): TableColumnOptions => ({ name, type: 'varchar', length: '36', isNullable: nullable }),
  text: (name: string, length: number, nullable = false): TableColumnOptions => ({
    name,
    type: 'varchar',
    length: String(length),
    isNullable: nullable,
  }),
  long: (name: string): TableColumnOptions => ({ name, type: 'text' }),
  int: (name: string, primary = false): TableColumnOptions => ({ name, type: 'integer', isPrimary: primary }),
  bool: (name: string): TableColumnOptions => ({ name, type: 'boolean' }),
  instant: (name: string, nullable = false): TableColumnOptions => ({ name, type: 'varchar', length: '30', isNullable: nullable }),
};

export async function createTable(
  runner: QueryRunner,
  name: string,
  columns: TableColumnOptions[],
  indices: { columns: string[]; unique?: boolean }[] = [],
): Promise<void> {
  await runner.createTable(new Table({ name, columns }), true);
  for (const index of indices) {
    await runner.createIndex(
      name,
      new TableIndex({
        name: `IDX_${name}_${index.columns.join('_')}`,
        columnNames: index.columns,
        isUnique: index.unique ?? false,
      }),
    );
  }
}
