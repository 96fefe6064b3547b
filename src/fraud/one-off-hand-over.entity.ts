import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A one-off message (no campaign) handed over to the carrier, as the pumping guard counts it. */
@Entity('fraud_one_off_hand_overs')
@Index('UQ_fraud_one_off_hand_overs_message', ['messageId'], { unique: true })
@Index('IDX_fraud_one_off_hand_overs_prefix', ['accountId', 'prefix', 'handedOverAt'])
@Index('IDX_fraud_one_off_hand_overs_time', ['handedOverAt'])
export class OneOffHandOver {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  accountId: number;

  /** The number without its last 4 digits, e.g. +447700900 for +447700900123. */
  @Column({ type: 'varchar', length: 16 })
  prefix: string;

  @Column({ type: 'varchar', length: 20 })
  phoneNumber: string;

  @Column({ type: 'varchar', length: 2, nullable: true })
  region: string | null;

  @Column({ type: 'int' })
  messageId: number;

  @Column({ type: 'datetime', precision: 3 })
  handedOverAt: Date;
}
