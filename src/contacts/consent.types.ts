import { connectionType, type Page } from '../core/connection';
import { ConsentRecord } from './consent-record.entity';

export const ConsentRecordConnection = connectionType('ConsentRecord', ConsentRecord);
export type ConsentRecordConnection = Page<ConsentRecord>;
