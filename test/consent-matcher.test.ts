import { matchConsent, plainWordsOptOut, replyFor } from '../src/groups/consent-matcher';
import { DEFAULT_REPLIES_BY_LANGUAGE } from '../src/groups/consent-languages';
import { KeywordCategory } from '../src/groups/keyword-set.entity';
import { DEFAULT_KEYWORDS } from '../src/groups/keyword.service';

const SETS = [KeywordCategory.OPT_OUT, KeywordCategory.OPT_IN, KeywordCategory.HELP].map((category) => ({ category, keywords: DEFAULT_KEYWORDS[category].keywords }));

type Outcome = 'OPT_OUT' | 'OPT_IN' | 'HELP' | null;

// [message, expected category, expected language of the answer (when any), how it matched]
const TABLE: Array<[string, Outcome, string?, ('keyword' | 'plain-words')?]> = [
  // English keywords and plain words
  ['STOP', 'OPT_OUT', 'en', 'keyword'],
  ['  stop  ', 'OPT_OUT', 'en', 'keyword'],
  ['Unsubscribe', 'OPT_OUT', 'en', 'keyword'],
  ['YES', 'OPT_IN', 'en', 'keyword'],
  ['help', 'HELP', 'en', 'keyword'],
  ['please stop', 'OPT_OUT', 'en', 'plain-words'],
  ['Stop texting me', 'OPT_OUT', 'en', 'plain-words'],
  ['stop texting me!!', 'OPT_OUT', 'en', 'plain-words'],
  ['Unsubscribe me', 'OPT_OUT', 'en', 'plain-words'],
  ['Remove me from this list', 'OPT_OUT', 'en', 'plain-words'],
  ['please remove me from your list, thanks', 'OPT_OUT', 'en', 'plain-words'],
  ['No more messages', 'OPT_OUT', 'en', 'plain-words'],
  ['no more texts please', 'OPT_OUT', 'en', 'plain-words'],
  ["Don't text me again", 'OPT_OUT', 'en', 'plain-words'],
  ['Can you stop texting me?', 'OPT_OUT', 'en', 'plain-words'],
  ['take me off the list', 'OPT_OUT', 'en', 'plain-words'],
  ['I want to unsubscribe', 'OPT_OUT', 'en', 'plain-words'],
  ["don't stop, I love it", null],
  ['when does the sale stop?', null],
  ['Stop by the store tomorrow for 20% off?', null],
  ['I will stop by later', null],
  ['yes please send more', null],
  ['S T O P', null],
  ['Is the offer still on?', null],
  // Spanish
  ['BAJA', 'OPT_OUT', 'es', 'keyword'],
  ['parar', 'OPT_OUT', 'es', 'keyword'],
  ['Sí', 'OPT_IN', 'es', 'keyword'],
  ['ayuda', 'HELP', 'es', 'keyword'],
  ['Dame de baja por favor', 'OPT_OUT', 'es', 'plain-words'],
  ['No me envíes más mensajes', 'OPT_OUT', 'es', 'plain-words'],
  ['Deja de escribirme', 'OPT_OUT', 'es', 'plain-words'],
  ['no más mensajes', 'OPT_OUT', 'es', 'plain-words'],
  ['Quítame de la lista', 'OPT_OUT', 'es', 'plain-words'],
  ['¿Cuándo para la oferta?', null],
  ['No pares, me encanta', null],
  // French
  ['ARRET', 'OPT_OUT', 'fr', 'keyword'],
  ['Arrêt', 'OPT_OUT', 'fr', 'keyword'],
  ['arrêter', 'OPT_OUT', 'fr', 'keyword'],
  ['oui', 'OPT_IN', 'fr', 'keyword'],
  ['AIDE', 'HELP', 'fr', 'keyword'],
  ["Arrêtez de m'envoyer des messages", 'OPT_OUT', 'fr', 'plain-words'],
  ['Désabonnez-moi svp', 'OPT_OUT', 'fr', 'plain-words'],
  ['plus de messages merci', 'OPT_OUT', 'fr', 'plain-words'],
  ['Je veux me désinscrire', 'OPT_OUT', 'fr', 'plain-words'],
  ["Ne m'envoyez plus de SMS", 'OPT_OUT', 'fr', 'plain-words'],
  ["N'arrêtez pas, j'adore", null],
  ['Quand est-ce que la promo arrête ?', null],
  // German
  ['STOPP', 'OPT_OUT', 'de', 'keyword'],
  ['abmelden', 'OPT_OUT', 'de', 'keyword'],
  ['Kündigen', 'OPT_OUT', 'de', 'keyword'],
  ['ja', 'OPT_IN', 'de', 'keyword'],
  ['Hilfe', 'HELP', 'de', 'keyword'],
  ['Bitte keine Nachrichten mehr', 'OPT_OUT', 'de', 'plain-words'],
  ['Hören Sie auf, mir zu schreiben', 'OPT_OUT', 'de', 'plain-words'],
  ['Melden Sie mich ab', 'OPT_OUT', 'de', 'plain-words'],
  ['Entfernen Sie mich aus der Liste', 'OPT_OUT', 'de', 'plain-words'],
  ['Nicht aufhören, das ist super', null],
  ['Wann hört der Sale auf?', null],
  // Portuguese
  ['SAIR', 'OPT_OUT', 'pt', 'keyword'],
  ['descadastrar', 'OPT_OUT', 'pt', 'keyword'],
  ['sim', 'OPT_IN', 'pt', 'keyword'],
  ['AJUDA', 'HELP', 'pt', 'keyword'],
  ['Pare de me enviar mensagens', 'OPT_OUT', 'pt', 'plain-words'],
  ['Não quero mais mensagens', 'OPT_OUT', 'pt', 'plain-words'],
  ['Me tire da lista por favor', 'OPT_OUT', 'pt', 'plain-words'],
  ['não me mande mais', 'OPT_OUT', 'pt', 'plain-words'],
  ['Não pare, adoro', null],
  ['Quando a promoção para?', null],
  // Italian
  ['ANNULLA', 'OPT_OUT', 'it', 'keyword'],
  ['basta', 'OPT_OUT', 'it', 'keyword'],
  ['Iscrivimi', 'OPT_IN', 'it', 'keyword'],
  ['aiuto', 'HELP', 'it', 'keyword'],
  ['Smettetela di scrivermi', 'OPT_OUT', 'it', 'plain-words'],
  ['Non voglio più messaggi', 'OPT_OUT', 'it', 'plain-words'],
  ['Toglietemi dalla lista, grazie', 'OPT_OUT', 'it', 'plain-words'],
  ['niente più messaggi per favore', 'OPT_OUT', 'it', 'plain-words'],
  ['Non smettete, mi piace', null],
  ['Quando finisce la promozione?', null],
  // Hostile and odd input
  ['🛑', null],
  ['👍👍', null],
  ['', null],
  ['   ', null],
  ['stop '.repeat(400), null],
  ['please stop ' + 'x'.repeat(1988), null],
];

describe('the consent matcher', () => {
  it('has at least 60 rows across the six languages', () => {
    expect(TABLE.length).toBeGreaterThanOrEqual(60);
    expect(new Set(TABLE.filter((r) => r[2]).map((r) => r[2]))).toEqual(new Set(['en', 'es', 'fr', 'de', 'pt', 'it']));
  });

  // Every row padded to four values: a test function with more parameters than its row would be read as taking `done`.
  const rows = TABLE.map(([body, category, language, via]) => [body, category, language ?? null, via ?? null] as const);
  it.each(rows)('%j -> %s (%s, %s)', (body, category, language, via) => {
    const match = matchConsent(SETS, body, { plainWords: true });
    if (category === null) {
      expect(match).toBeNull();
      return;
    }
    expect(match).toMatchObject({ category, language, via });
  });

  it('takes no plain words where the group turned them off, and keywords still', () => {
    expect(matchConsent(SETS, 'please stop', { plainWords: false })).toBeNull();
    expect(matchConsent(SETS, 'Remove me from this list', { plainWords: false })).toBeNull();
    expect(matchConsent(SETS, 'STOP', { plainWords: false })).toMatchObject({ category: 'OPT_OUT', via: 'keyword' });
  });

  it('answers in the language of the message while the reply is the default, and as written otherwise', () => {
    expect(replyFor(KeywordCategory.OPT_OUT, DEFAULT_KEYWORDS.OPT_OUT.reply, 'es')).toBe(DEFAULT_REPLIES_BY_LANGUAGE.es.OPT_OUT);
    expect(replyFor(KeywordCategory.HELP, DEFAULT_KEYWORDS.HELP.reply, 'de')).toBe(DEFAULT_REPLIES_BY_LANGUAGE.de.HELP);
    expect(replyFor(KeywordCategory.OPT_OUT, 'Bye from Acme', 'fr')).toBe('Bye from Acme');
    expect(replyFor(KeywordCategory.OPT_OUT, null, 'fr')).toBeNull();
    for (const language of ['es', 'fr', 'de', 'pt', 'it'] as const) {
      for (const category of Object.values(KeywordCategory)) expect(DEFAULT_REPLIES_BY_LANGUAGE[language][category]).not.toBe(DEFAULT_REPLIES_BY_LANGUAGE.en[category]);
    }
  });

  it('reads a 2,000-character message as no request, whatever it contains', () => {
    expect(plainWordsOptOut('stop'.padEnd(2000, '!'))).toBeNull();
    expect(plainWordsOptOut('x'.repeat(100_000))).toBeNull();
  });
});
