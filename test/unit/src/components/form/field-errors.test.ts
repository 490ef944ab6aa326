import { expect, test } from 'vitest';
import { describeField, fieldId, joinMessages, summariseErrors } from '#src/components/form/field-errors.ts';

test('field ids are prefixed so a field cannot take a landmark id such as main', () => {
  expect(fieldId('main')).toBe('field-main');
});

test('field ids replace characters that would break a #fragment link', () => {
  expect(fieldId('address.line 1')).toBe('field-address-line-1');
});

test('several messages for one field are joined into one text', () => {
  expect(joinMessages(['Enter a password.', ' Use at least 8 characters. '])).toBe(
    'Enter a password. Use at least 8 characters.',
  );
});

test('an absent or blank message gives no error text', () => {
  expect(joinMessages(undefined)).toBeNull();
  expect(joinMessages(['', '  '])).toBeNull();
});

test('the summary lists form errors first without links, then field errors linking to their controls', () => {
  const items = summariseErrors(
    {
      email: ['Enter an email address like name@example.org.'],
      password: undefined,
      name: 'Enter your name.',
    },
    ['Your session expired. Sign in again.'],
  );
  expect(items).toEqual([
    { message: 'Your session expired. Sign in again.', targetId: null },
    { message: 'Enter an email address like name@example.org.', targetId: 'field-email' },
    { message: 'Enter your name.', targetId: 'field-name' },
  ]);
});

test('the summary is empty when there are no errors', () => {
  expect(summariseErrors({ email: undefined })).toEqual([]);
});

test('describeField points the control at the hint and then the error, and at nothing without either', () => {
  expect(describeField('field-bio', 'Up to 2000 characters.', ['Too long.', 'Try again.'])).toEqual({
    errorText: 'Too long. Try again.',
    hintId: 'field-bio-hint',
    errorId: 'field-bio-error',
    describedBy: 'field-bio-hint field-bio-error',
  });
  expect(describeField('field-bio', undefined, 'Too long.').describedBy).toBe('field-bio-error');
  expect(describeField('field-bio', undefined, ['  ']).describedBy).toBeUndefined();
});
