import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One sendMessage idempotency key of one account: inserted before the send (the unique index
 * makes racing requests meet here), completed with the message or the refusal it answered.
 */
@Entity('idempotency_keys')
@Index('UQ_idempotency_keys_account_key', ['accountId', 'key'], { unique: true })
@Index('IDX_idempotency_keys_created', ['createdAt'])
export class IdempotencyKey {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  accountId: number;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 255 })
  key: string;

  /** SHA-256 of the normalised input, hex. */
  @Column({ type: 'varchar', length: 64 })
  requestHash: string;

  @Column({ type: 'int', nullable: true })
  messageId: number | null;

  /** The SendError answered, as JSON, when the send was refused. */
  @Column({ type: 'text', nullable: true })
  refusal: string | null;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  /** Null while the first request is still sending. */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  completedAt: Date | null;
}
