import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Server-wide values kept in the database, such as the hash of a generated admin token. */
@Entity('settings')
export class Setting {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  name: string;

  @Column({ type: 'text' })
  value: string;
}
