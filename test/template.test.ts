import { renderTemplate, validateTemplate, type TemplateContact } from '../src/campaigns/template';

const ada: TemplateContact = { firstName: 'Ada', lastName: 'Lovelace', phoneNumber: '+14155550123', attributes: { city: 'Köln', visits: 3, vip: true, tags: ['a', 'b'], none: null, 'store-id': 'S-1' } };
const bare: TemplateContact = { firstName: null, lastName: null, phoneNumber: '+14155550124', attributes: null };

describe('campaign templates', () => {
  it.each([
    ['Hi {{first_name}} {{last_name}}', ada, 'Hi Ada Lovelace'],
    ['Hi {{ first_name }}!', ada, 'Hi Ada!'],
    ['Call {{phone_number}}', ada, 'Call +14155550123'],
    ['In {{attributes.city}} ({{attributes.visits}} visits, vip {{attributes.vip}})', ada, 'In Köln (3 visits, vip true)'],
    ['Tags {{attributes.tags}}', ada, 'Tags ["a","b"]'],
    ['Store {{attributes.store-id}}', ada, 'Store S-1'],
    ['[{{attributes.none}}][{{attributes.missing}}]', ada, '[][]'],
    ['Hi {{first_name}}{{last_name}}!', bare, 'Hi !'],
    ['[{{attributes.city}}]', bare, '[]'],
    ['{{first_name}}{{first_name}}', ada, 'AdaAda'],
    ['No placeholders, { braces } and {single}', ada, 'No placeholders, { braces } and {single}'],
    ['', ada, ''],
  ])('renders %p', (body, contact, expected) => {
    expect(renderTemplate(body, contact)).toBe(expected);
  });

  it('does not render placeholders that come from the contact\'s own values', () => {
    expect(renderTemplate('Hi {{first_name}}', { ...bare, firstName: '{{phone_number}}' })).toBe('Hi {{phone_number}}');
  });

  it.each(['Hi {{first_name}}', '{{ last_name }}', '{{phone_number}}', '{{attributes.city}}', '{{attributes.a.b}}', 'no placeholder'])('accepts %p', (body) => {
    expect(() => validateTemplate(body)).not.toThrow();
  });

  it.each(['Hi {{nickname}}', '{{attributes.}}', '{{attributes}}', '{{}}', '{{First_Name}}', '{{attributes.a b}}'])('refuses %p naming the body field', (body) => {
    expect(() => validateTemplate(body)).toThrow(/^body: unknown placeholder/);
  });
});
