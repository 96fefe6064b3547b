import { CONSENT_LANGUAGES, DEFAULT_KEYWORDS_BY_LANGUAGE, DEFAULT_REPLIES_BY_LANGUAGE, type ConsentLanguage } from './consent-languages';
import { KeywordCategory } from './keyword-set.entity';

/**
 * What an inbound message says about consent, decided from its text alone (no I/O):
 * - a keyword: the whole trimmed body is one of the group's keywords, accents and case ignored;
 * - a plain-words opt-out: a short message that, once polite filler is set aside, is wholly a
 *   request to stop ("please stop", "remove me from this list", "no más mensajes"). A message
 *   that merely contains such a word ("don't stop, I love it", "when does the sale stop?") is
 *   not one: the whole message must be the request.
 */
export interface ConsentMatch {
  category: KeywordCategory;
  /** The language the answer is written in: the matched word's or phrase's, else English. */
  language: ConsentLanguage;
  via: 'keyword' | 'plain-words';
}

/** Longer than this, a message is a conversation, not a request to stop: it is stored as a plain reply. */
export const MAX_PLAIN_WORDS_CHARS = 100;

export interface KeywordSetLike {
  category: KeywordCategory;
  keywords: readonly string[];
}

/** Upper case without accents (ARRÊT -> ARRET, KÜNDIGEN -> KUNDIGEN). */
export function foldKeyword(text: string): string {
  return text.trim().normalize('NFD').replace(/\p{M}/gu, '').toUpperCase();
}

const LANGUAGE_OF_KEYWORD = new Map<string, ConsentLanguage>();
for (const language of CONSENT_LANGUAGES) {
  for (const words of Object.values(DEFAULT_KEYWORDS_BY_LANGUAGE[language])) {
    for (const word of words) if (!LANGUAGE_OF_KEYWORD.has(word)) LANGUAGE_OF_KEYWORD.set(word, language);
  }
}

/** The first set (in the order given: OPT_OUT, OPT_IN, HELP) holding the whole body as a keyword. */
export function matchKeywordSet<S extends KeywordSetLike>(sets: readonly S[], body: string): { set: S; language: ConsentLanguage } | null {
  const word = foldKeyword(body);
  if (!word || /\s/.test(word)) return null;
  const set = sets.find((s) => s.keywords.some((k) => foldKeyword(k) === word));
  return set ? { set, language: LANGUAGE_OF_KEYWORD.get(word) ?? 'en' } : null;
}

/** Lower case, no accents, no apostrophes ("don't" -> "dont", "m'envoyer" -> "menvoyer"), other punctuation as spaces. */
export function foldPhrase(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()
    .replace(/['’`´]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

// Politeness around a request, taken off both ends before the request itself is matched.
const FILLERS = [
  'please', 'pls', 'plz', 'kindly', 'ok', 'okay', 'thanks', 'thank you', 'thx', 'now', 'hi', 'hello', 'sorry', 'just', 'right now',
  'por favor', 'gracias', 'hola', 'ya', 'porfa',
  'sil vous plait', 'sil te plait', 'svp', 'stp', 'merci', 'bonjour', 'maintenant',
  'bitte', 'danke', 'hallo', 'sofort', 'jetzt',
  'obrigado', 'obrigada', 'ola', 'agora', 'ja',
  'per favore', 'grazie', 'ciao', 'subito',
];
const FILLER_PATTERN = new RegExp(`^(?:(?:${FILLERS.join('|')})\\s+)*(.*?)(?:\\s+(?:${FILLERS.join('|')}))*$`);

// Each pattern is a whole request, in folded words (see foldPhrase); `(?: ...)?` marks optional words.
const ME = '(?:me|us)';
const MESSAGES = '(?:messages|message|texts|text|sms|msgs|these messages|these texts|this|them|it|these)';
const LIST = '(?:(?:this|the|your|my|that) )?(?:list|mailing list|sms list|text list|texts|messages|contacts)';
const PHRASES: Record<ConsentLanguage, string[]> = {
  en: [
    'stop(?: it| all| everything)?(?: (?:texting|messaging|txting|contacting|spamming|bothering|sending|emailing) ?' + ME + '?)?(?: ' + MESSAGES + ')?(?: anymore| again| now)?',
    'stop sending ' + ME + '? ?' + MESSAGES + '(?: anymore)?',
    '(?:(?:i )?(?:want|wanna|would like|need) to )?(?:unsubscribe|unsub|opt out|optout)(?: ' + ME + ')?(?: (?:from|of) ' + LIST + ')?(?: please)?',
    '(?:can you |could you |please )?(?:remove|delete|unsubscribe|take) ' + ME + '(?: off| out)?(?: (?:from|of|off) ' + LIST + ')?',
    'take ' + ME + ' off(?: ' + LIST + ')?',
    'no more ' + MESSAGES + '(?: please)?',
    '(?:do not|dont|never) (?:text|message|contact|sms|send) ' + ME + '(?: ' + MESSAGES + ')?(?: again| anymore| ever again)?',
    'leave ' + ME + ' alone',
    'i (?:do not|dont) want (?:any more |anymore |these |your |any )?' + MESSAGES + '(?: anymore)?',
    '(?:can you |could you )?stop (?:texting|messaging|contacting) ' + ME,
  ],
  es: [
    '(?:para|pare|parar|paren|basta|alto|detente)(?: ya)?(?: de (?:escribirme|enviarme mensajes|mandarme mensajes|enviarme|mandarme))?',
    '(?:deja|dejen|deje) de (?:escribirme|enviarme|mandarme|molestarme)(?: mensajes)?',
    '(?:dame|denme|deme|darme|quiero darme) de baja',
    'no (?:me )?(?:envies|envien|mandes|manden|escribas|escriban|envie|mande) mas(?: mensajes)?',
    'no (?:quiero )?(?:recibir )?mas mensajes',
    '(?:quitame|quitenme|borrame|borrenme|eliminame|eliminenme|sacame|saquenme) de (?:la|esta|su|tu) lista',
    '(?:quiero )?(?:darme de baja|cancelar(?: la)? suscripcion|desuscribirme)',
  ],
  fr: [
    '(?:arrete|arretez|arreter|stop)(?: de mecrire| de menvoyer(?: des)? (?:messages|sms)| les (?:messages|sms)| tout)?',
    '(?:ne )?(?:menvoyez|menvoie|mecrivez|mecris) plus(?: de (?:messages|sms)| rien| jamais)?',
    'plus de (?:messages|sms)',
    '(?:desabonnez|desinscrivez|desabonne|desinscris|retirez|supprimez|enlevez) moi(?: de (?:la|cette|votre|ta) liste)?',
    '(?:je veux|je voudrais|je souhaite) (?:me desabonner|me desinscrire|etre retire de (?:la|cette|votre) liste)',
    'je ne veux plus (?:de (?:messages|sms)|recevoir de (?:messages|sms)|recevoir vos messages)',
  ],
  de: [
    '(?:stopp|stop|aufhoren|hor auf|hort auf|horen sie auf)(?: damit)?(?: mir zu schreiben)?',
    '(?:keine|keine weiteren) (?:nachrichten|sms)(?: mehr)?',
    '(?:abmelden|austragen)',
    '(?:melden sie mich|meldet mich|melde mich) ab',
    '(?:tragen sie mich|tragt mich|trag mich) aus(?: der liste)?',
    '(?:entfernen sie mich|entfernt mich|entferne mich|loschen sie mich) (?:aus|von) (?:der|dieser|ihrer|eurer) liste',
    '(?:schreiben sie mir|schreibt mir|schreib mir|senden sie mir) (?:nicht mehr|keine (?:nachrichten|sms) mehr)',
    'ich (?:mochte|will) mich abmelden',
    'ich (?:mochte|will) keine (?:nachrichten|sms) mehr(?: erhalten| bekommen)?',
  ],
  pt: [
    '(?:pare|parem|parar|para|chega)(?: de (?:me enviar|me mandar|enviar|mandar)(?: mensagens)?)?',
    '(?:nao )?(?:quero|desejo) (?:mais )?(?:receber )?mais mensagens',
    'nao (?:quero|desejo) (?:receber )?mais (?:mensagens|sms)',
    'nao (?:me )?(?:envie|mande|enviem|mandem) mais(?: mensagens| sms)?',
    '(?:sem|chega de) mais mensagens',
    '(?:me )?(?:tire|tirem|remova|removam|exclua|excluam|retire) (?:me )?(?:da|dessa|desta|de sua) lista',
    '(?:quero )?(?:sair|cancelar(?: a)? inscricao|me descadastrar|descadastrar)(?: da lista)?',
    'me descadastre',
  ],
  it: [
    '(?:smettila|smettetela|smettete|basta|fermati|fermatevi)(?: di (?:scrivermi|inviarmi messaggi|mandarmi messaggi|contattarmi))?',
    'basta (?:messaggi|sms)',
    'non (?:voglio|desidero) (?:piu )?(?:ricevere )?(?:piu )?(?:messaggi|sms)(?: piu)?',
    'non (?:mandatemi|inviatemi|scrivetemi|mandarmi|inviarmi|scrivermi) piu(?: messaggi| sms)?',
    'niente piu (?:messaggi|sms)',
    '(?:toglietemi|rimuovetemi|cancellatemi|toglimi|rimuovimi|cancellami) (?:dalla|da questa|dalla vostra) lista',
    '(?:voglio )?(?:disiscrivermi|cancellarmi|annullare liscrizione)',
    '(?:disiscrivimi|cancellami)',
  ],
};
const COMPILED: Array<[ConsentLanguage, RegExp]> = CONSENT_LANGUAGES.flatMap((language) =>
  PHRASES[language].map((phrase): [ConsentLanguage, RegExp] => [language, new RegExp(`^(?:${phrase})$`)]));

/** The language of a plain-words request to stop, or null when the message is not wholly one. */
export function plainWordsOptOut(body: string): ConsentLanguage | null {
  if (body.length > MAX_PLAIN_WORDS_CHARS * 2) return null;
  const trimmed = body.trim();
  if (!trimmed || [...trimmed].length > MAX_PLAIN_WORDS_CHARS) return null;
  // A question asks about stopping ("when does the sale stop?"); it does not ask us to.
  if (/\?\s*$/.test(trimmed) && !/^(?:can|could|will|would) you\b/i.test(trimmed)) return null;
  const folded = foldPhrase(trimmed);
  if (!folded) return null;
  const core = FILLER_PATTERN.exec(folded)?.[1] ?? folded;
  const polite = core.replace(/^(?:can you|could you|will you|would you) /, '');
  for (const [language, pattern] of COMPILED) if (pattern.test(polite)) return language;
  return null;
}

/**
 * The one decision for an inbound body: a keyword of the group's sets first, then, where the
 * group allows it, a plain-words opt-out. Emoji-only and empty bodies match nothing.
 */
export function matchConsent<S extends KeywordSetLike>(
  sets: readonly S[],
  body: string,
  options: { plainWords: boolean },
): (ConsentMatch & { set: S }) | null {
  const keyword = matchKeywordSet(sets, body);
  if (keyword) return { category: keyword.set.category, language: keyword.language, via: 'keyword', set: keyword.set };
  if (!options.plainWords) return null;
  const language = plainWordsOptOut(body);
  const optOut = sets.find((s) => s.category === KeywordCategory.OPT_OUT);
  return language && optOut ? { category: KeywordCategory.OPT_OUT, language, via: 'plain-words', set: optOut } : null;
}

/**
 * The answer to send: a set whose reply is still the English default answers in the matched
 * language; a reply the group wrote itself is sent as written.
 */
export function replyFor(category: KeywordCategory, setReply: string | null, language: ConsentLanguage): string | null {
  if (setReply === null) return null;
  return setReply === DEFAULT_REPLIES_BY_LANGUAGE.en[category] ? DEFAULT_REPLIES_BY_LANGUAGE[language][category] : setReply;
}
