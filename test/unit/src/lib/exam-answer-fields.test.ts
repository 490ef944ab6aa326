import { describe, expect, test } from 'vitest';
import { type AnswerFieldsItem, answerFromFields } from '#src/lib/exam-answer-fields.ts';

const item = (type: AnswerFieldsItem['type'], promptIds: string[] = []): AnswerFieldsItem => ({
  itemVersionId: 'v1',
  number: 3,
  type,
  promptIds,
});

function form(entries: [string, string][]): FormData {
  const data = new FormData();
  for (const [k, v] of entries) data.append(k, v);
  return data;
}

describe('answers read from the attempt form (the page and the island read them alike)', () => {
  test('each item type', () => {
    expect(answerFromFields(form([['a-v1', 'b']]), item('single'))).toEqual({ answer: { choices: ['b'] } });
    expect(answerFromFields(form([['a-v1', 'late-inflation']]), item('engine'))).toEqual({
      answer: { choices: ['late-inflation'] },
    });
    expect(
      answerFromFields(
        form([
          ['present-v1', '1'],
          ['a-v1', 'a'],
          ['a-v1', 'c'],
        ]),
        item('multiple'),
      ),
    ).toEqual({ answer: { choices: ['a', 'c'] } });
    expect(answerFromFields(form([['a-v1', 'false']]), item('true-false'))).toEqual({ answer: { truth: false } });
    expect(answerFromFields(form([['a-v1', ' 332,5 ']]), item('numeric'))).toEqual({ answer: { value: 332.5 } });
    expect(
      answerFromFields(
        form([
          ['a-v1-p1', 'c2'],
          ['a-v1-p2', ''],
        ]),
        item('matching', ['p1', 'p2']),
      ),
    ).toEqual({ answer: { matches: { p1: 'c2' } } });
  });

  test('nothing entered is no answer; an unticked multiple-response item on the page is an empty answer', () => {
    expect(answerFromFields(form([]), item('single'))).toEqual({});
    expect(answerFromFields(form([['a-v1', 'maybe']]), item('true-false'))).toEqual({});
    expect(answerFromFields(form([['a-v1', '  ']]), item('numeric'))).toEqual({});
    expect(answerFromFields(form([]), item('multiple'))).toEqual({});
    expect(answerFromFields(form([['present-v1', '1']]), item('multiple'))).toEqual({ answer: { choices: [] } });
  });

  test('text that is not a number is refused with the question named', () => {
    expect(answerFromFields(form([['a-v1', '33O']]), item('numeric'))).toEqual({
      error: 'Question 3: enter a number.',
    });
  });
});
