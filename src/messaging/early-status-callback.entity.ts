import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { MessageStatus } from './message.entity';

/** A status callback that came before its message's sid was stored; applied when the sid lands. */
@Entity('early_status_callbacks')
@Index('UQ_early_status_callbacks', ['providerSid', 'status'], { unique: true })
@Index('IDX_early_status_callbacks_received', ['receivedAt'])
export class EarlyStatusCallback {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 64 })
  providerSid: string;

  @Column({ type: 'varchar', length: 16 })
  status: MessageStatus;

  @Column({ type: 'varchar', length: 32 })
  rawStatus: string;

  @Column({ type: 'int', nullable: true })
  errorCode: number | null;

  @Column({ type: 'datetime', precision: 3 })
  receivedAt: Date;
}
