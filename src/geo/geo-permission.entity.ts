import { Entity, ForeignKey, PrimaryColumn } from 'typeorm';

/** One enabled region of an account that keeps its own geo permissions. */
@Entity('geo_permissions')
export class GeoPermission {
  @PrimaryColumn({ type: 'int' })
  @ForeignKey('accounts')
  accountId: number;

  @PrimaryColumn({ type: 'varchar', length: 2 })
  country: string;
}
