import type { MigrationInterface, QueryRunner } from 'typeorm';

// The default keyword sets before and after they covered six languages, written out here (not
// imported) so that this migration means the same whatever the defaults become later.
const ENGLISH_ONLY: Record<string, string[]> = {
  OPT_OUT: ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT'],
  OPT_IN: ['START', 'YES', 'UNSTOP'],
  HELP: ['HELP', 'INFO'],
};
const SIX_LANGUAGES: Record<string, string[]> = {
  OPT_OUT: ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT', 'BAJA', 'PARAR', 'ALTO', 'CANCELAR', 'DETENER', 'ARRET', 'ARRETER', 'DESABONNER', 'DESINSCRIRE', 'ANNULER', 'STOPP', 'ABMELDEN', 'ENDE', 'AUSTRAGEN', 'KUENDIGEN', 'KUNDIGEN', 'SAIR', 'DESCADASTRAR', 'CANCELE', 'ANNULLA', 'BASTA', 'FERMA', 'DISISCRIVIMI', 'CANCELLAMI'],
  OPT_IN: ['START', 'YES', 'UNSTOP', 'ALTA', 'SI', 'COMENZAR', 'OUI', 'COMMENCER', 'DEMARRER', 'JA', 'ANMELDEN', 'SIM', 'INICIAR', 'VOLTAR', 'ISCRIVIMI', 'INIZIA'],
  HELP: ['HELP', 'INFO', 'AYUDA', 'AIDE', 'HILFE', 'AJUDA', 'AIUTO'],
};

/**
 * Groups made before the defaults covered six languages and still holding the English-only
 * defaults get the new ones, so that a BAJA or an ARRÊT opts out there too. A set a group
 * changed is left as it is.
 */
export class KeywordsInSixLanguages1763800010500 implements MigrationInterface {
  name = 'KeywordsInSixLanguages1763800010500';

  async up(queryRunner: QueryRunner): Promise<void> {
    await this.replace(queryRunner, ENGLISH_ONLY, SIX_LANGUAGES);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await this.replace(queryRunner, SIX_LANGUAGES, ENGLISH_ONLY);
  }

  private async replace(queryRunner: QueryRunner, from: Record<string, string[]>, to: Record<string, string[]>): Promise<void> {
    for (const category of Object.keys(from)) {
      await queryRunner.query('UPDATE keyword_sets SET keywords = ? WHERE category = ? AND keywords = ?',
        [JSON.stringify(to[category]), category, JSON.stringify(from[category])]);
    }
  }
}
