import { Membership } from './membership.entity';
import { connectionType, type Page } from '../core/connection';

export const MemberConnection = connectionType('Member', Membership);
export type MemberConnection = Page<Membership>;
