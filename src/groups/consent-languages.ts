import { KeywordCategory } from './keyword-set.entity';

/** The languages the default keyword sets and plain-words opt-outs understand. */
export type ConsentLanguage = 'en' | 'es' | 'fr' | 'de' | 'pt' | 'it';

export const CONSENT_LANGUAGES: readonly ConsentLanguage[] = ['en', 'es', 'fr', 'de', 'pt', 'it'];

/**
 * Each language's default keywords, written without accents: matching ignores accents and case,
 * so ARRET also matches "arrêt" and "Arrêt". A word two languages share (PARAR, CANCELAR, SI)
 * answers in the first language listing it.
 */
export const DEFAULT_KEYWORDS_BY_LANGUAGE: Record<ConsentLanguage, Record<KeywordCategory, string[]>> = {
  en: {
    [KeywordCategory.OPT_OUT]: ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT'],
    [KeywordCategory.OPT_IN]: ['START', 'YES', 'UNSTOP'],
    [KeywordCategory.HELP]: ['HELP', 'INFO'],
  },
  es: {
    [KeywordCategory.OPT_OUT]: ['BAJA', 'PARAR', 'ALTO', 'CANCELAR', 'DETENER'],
    [KeywordCategory.OPT_IN]: ['ALTA', 'SI', 'COMENZAR'],
    [KeywordCategory.HELP]: ['AYUDA'],
  },
  fr: {
    [KeywordCategory.OPT_OUT]: ['ARRET', 'ARRETER', 'DESABONNER', 'DESINSCRIRE', 'ANNULER'],
    [KeywordCategory.OPT_IN]: ['OUI', 'COMMENCER', 'DEMARRER'],
    [KeywordCategory.HELP]: ['AIDE'],
  },
  de: {
    [KeywordCategory.OPT_OUT]: ['STOPP', 'ABMELDEN', 'ENDE', 'AUSTRAGEN', 'KUENDIGEN', 'KUNDIGEN'],
    [KeywordCategory.OPT_IN]: ['JA', 'ANMELDEN'],
    [KeywordCategory.HELP]: ['HILFE'],
  },
  pt: {
    [KeywordCategory.OPT_OUT]: ['SAIR', 'DESCADASTRAR', 'CANCELE'],
    [KeywordCategory.OPT_IN]: ['SIM', 'INICIAR', 'VOLTAR'],
    [KeywordCategory.HELP]: ['AJUDA'],
  },
  it: {
    [KeywordCategory.OPT_OUT]: ['ANNULLA', 'BASTA', 'FERMA', 'DISISCRIVIMI', 'CANCELLAMI'],
    [KeywordCategory.OPT_IN]: ['ISCRIVIMI', 'INIZIA'],
    [KeywordCategory.HELP]: ['AIUTO'],
  },
};

/** Each language's answer to each category; the English ones are the contract's defaults. */
export const DEFAULT_REPLIES_BY_LANGUAGE: Record<ConsentLanguage, Record<KeywordCategory, string>> = {
  en: {
    [KeywordCategory.OPT_OUT]: 'You have been unsubscribed and will receive no more messages. Reply START to resubscribe.',
    [KeywordCategory.OPT_IN]: 'You have been subscribed again. Reply STOP to unsubscribe.',
    [KeywordCategory.HELP]: 'Reply STOP to unsubscribe. Msg & data rates may apply.',
  },
  es: {
    [KeywordCategory.OPT_OUT]: 'Se ha dado de baja y no recibirá más mensajes. Responda ALTA para volver a suscribirse.',
    [KeywordCategory.OPT_IN]: 'Se ha suscrito de nuevo. Responda BAJA para darse de baja.',
    [KeywordCategory.HELP]: 'Responda BAJA para darse de baja. Pueden aplicarse tarifas de mensajes y datos.',
  },
  fr: {
    [KeywordCategory.OPT_OUT]: 'Vous êtes désabonné et ne recevrez plus de messages. Répondez OUI pour vous réabonner.',
    [KeywordCategory.OPT_IN]: 'Vous êtes de nouveau abonné. Répondez ARRET pour vous désabonner.',
    [KeywordCategory.HELP]: 'Répondez ARRET pour vous désabonner. Des frais de messages et de données peuvent s’appliquer.',
  },
  de: {
    [KeywordCategory.OPT_OUT]: 'Sie wurden abgemeldet und erhalten keine Nachrichten mehr. Antworten Sie JA, um sich wieder anzumelden.',
    [KeywordCategory.OPT_IN]: 'Sie sind wieder angemeldet. Antworten Sie STOPP, um sich abzumelden.',
    [KeywordCategory.HELP]: 'Antworten Sie STOPP, um sich abzumelden. Es können Gebühren für Nachrichten und Daten anfallen.',
  },
  pt: {
    [KeywordCategory.OPT_OUT]: 'Sua inscrição foi cancelada e você não receberá mais mensagens. Responda SIM para se inscrever novamente.',
    [KeywordCategory.OPT_IN]: 'Você foi inscrito novamente. Responda SAIR para cancelar.',
    [KeywordCategory.HELP]: 'Responda SAIR para cancelar. Podem ser cobradas tarifas de mensagens e dados.',
  },
  it: {
    [KeywordCategory.OPT_OUT]: 'La tua iscrizione è stata annullata e non riceverai più messaggi. Rispondi ISCRIVIMI per iscriverti di nuovo.',
    [KeywordCategory.OPT_IN]: 'Sei di nuovo iscritto. Rispondi ANNULLA per annullare l’iscrizione.',
    [KeywordCategory.HELP]: 'Rispondi ANNULLA per annullare l’iscrizione. Potrebbero essere applicati costi per messaggi e dati.',
  },
};
