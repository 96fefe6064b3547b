import { LessThan, MoreThanOrEqual, type DataSource } from 'typeorm';
import { OneOffHandOver } from './one-off-hand-over.entity';

/** The fraud_one_off_hand_overs table: what the pumping guard counts, kept for a day. */
export class OneOffHandOverRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Records the hand-overs in one statement; one already recorded (same message) is left as it is. */
  async record(handOvers: Array<Omit<OneOffHandOver, 'id'>>): Promise<void> {
    await this.dataSource.getRepository(OneOffHandOver).createQueryBuilder().insert().orIgnore().values(handOvers).execute();
  }

  /** The numbers and messages of one account's prefix handed over since `since`. */
  handedOverSince(accountId: number, prefix: string, since: Date): Promise<Array<Pick<OneOffHandOver, 'phoneNumber' | 'messageId'>>> {
    return this.dataSource.getRepository(OneOffHandOver).find({
      select: { phoneNumber: true, messageId: true },
      where: { accountId, prefix, handedOverAt: MoreThanOrEqual(since) },
    });
  }

  async purgeBefore(before: Date): Promise<void> {
    await this.dataSource.getRepository(OneOffHandOver).delete({ handedOverAt: LessThan(before) });
  }
}
