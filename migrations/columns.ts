import type { TableColumnOptions } from 'typeorm';

// Column shapes shared by the migrations, written once so that both databases get the same types.

export const id = (): TableColumnOptions => ({ name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' });
export const int = (name: string, nullable = false): TableColumnOptions => ({ name, type: 'integer', isNullable: nullable });
export const varchar = (name: string, length: number, nullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable: nullable });
export const text = (name: string, nullable = false): TableColumnOptions => ({ name, type: 'text', isNullable: nullable });
export const bool = (name: string): TableColumnOptions => ({ name, type: 'boolean', isNullable: false });
export const double = (name: string): TableColumnOptions => ({ name, type: 'double', isNullable: false });
export const datetime = (name: string, nullable = false): TableColumnOptions => ({ name, type: 'datetime', precision: 3, isNullable: nullable });
