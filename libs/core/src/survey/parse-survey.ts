import { checkSurvey, type Question, type SurveyDefinition, type SurveyProblem } from './survey.js';

type Problem = (path: string, message: string) => void;
type Json = Readonly<Record<string, unknown>>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Properties each part may have: a misspelt one (`nxt`) would otherwise be skip logic silently ignored. */
const ALLOWED = {
  survey: ['code', 'title', 'questions'],
  choice: ['id', 'kind', 'text', 'next', 'choices'],
  rating: ['id', 'kind', 'text', 'next', 'min', 'max', 'branches'],
  text: ['id', 'kind', 'text', 'next', 'maxLength'],
  option: ['code', 'label', 'next'],
  branch: ['atMost', 'next'],
} as const;

function only(value: Json, allowed: readonly string[], at: string, problem: Problem): void {
  for (const key of Object.keys(value)) if (!allowed.includes(key)) problem(`${at}/${key}`, `unknown property; expected ${allowed.join(', ')}`);
}

function str(value: Json, key: string, at: string, problem: Problem): string {
  const v = value[key];
  if (typeof v !== 'string') problem(`${at}/${key}`, 'expected a string');
  return typeof v === 'string' ? v : '';
}

function num(value: Json, key: string, at: string, problem: Problem): number {
  const v = value[key];
  if (typeof v !== 'number') problem(`${at}/${key}`, 'expected a number');
  return typeof v === 'number' ? v : Number.NaN;
}

function texts(value: Json, key: string, at: string, problem: Problem): { id: string; en: string } {
  const v = value[key];
  if (!isObject(v)) {
    problem(`${at}/${key}`, 'expected texts by language, e.g. { "id": "…", "en": "…" }');
    return { id: '', en: '' };
  }
  // Languages and their presence are checkSurvey's; here only the shape.
  return v as { id: string; en: string };
}

function list(value: Json, key: string, at: string, problem: Problem): Json[] {
  const v = value[key];
  if (!Array.isArray(v)) {
    problem(`${at}/${key}`, 'expected a list');
    return [];
  }
  return v.map((item: unknown, i) => {
    if (isObject(item)) return item;
    problem(`${at}/${key}/${String(i)}`, 'expected an object');
    return {};
  });
}

function question(raw: Json, at: string, problem: Problem): Question | null {
  const base = { id: str(raw, 'id', at, problem), text: texts(raw, 'text', at, problem), ...(raw.next === undefined ? {} : { next: str(raw, 'next', at, problem) }) };
  switch (raw.kind) {
    case 'choice':
      only(raw, ALLOWED.choice, at, problem);
      return {
        ...base,
        kind: 'choice',
        choices: list(raw, 'choices', at, problem).map((c, j) => {
          const cat = `${at}/choices/${String(j)}`;
          only(c, ALLOWED.option, cat, problem);
          return { code: str(c, 'code', cat, problem), label: texts(c, 'label', cat, problem), ...(c.next === undefined ? {} : { next: str(c, 'next', cat, problem) }) };
        }),
      };
    case 'rating':
      only(raw, ALLOWED.rating, at, problem);
      return {
        ...base,
        kind: 'rating',
        min: num(raw, 'min', at, problem),
        max: num(raw, 'max', at, problem),
        ...(raw.branches === undefined
          ? {}
          : {
              branches: list(raw, 'branches', at, problem).map((b, j) => {
                only(b, ALLOWED.branch, `${at}/branches/${String(j)}`, problem);
                return { atMost: num(b, 'atMost', `${at}/branches/${String(j)}`, problem), next: str(b, 'next', `${at}/branches/${String(j)}`, problem) };
              }),
            }),
      };
    case 'text':
      only(raw, ALLOWED.text, at, problem);
      return { ...base, kind: 'text', ...(raw.maxLength === undefined ? {} : { maxLength: num(raw, 'maxLength', at, problem) }) };
    default:
      problem(`${at}/kind`, 'expected choice, rating or text');
      return null;
  }
}

/** A survey from JSON (an agency's GraphQL or HTTP input): its shape first, then everything `checkSurvey` checks. */
export function parseSurvey(raw: unknown): { readonly survey: SurveyDefinition } | { readonly problems: readonly SurveyProblem[] } {
  const problems: SurveyProblem[] = [];
  const problem: Problem = (path, message) => {
    problems.push({ path, message });
  };
  if (!isObject(raw)) return { problems: [{ path: '', message: 'expected a survey object with code, title and questions' }] };
  only(raw, ALLOWED.survey, '', problem);
  const questions = list(raw, 'questions', '', problem).flatMap((q, i) => question(q, `/questions/${String(i)}`, problem) ?? []);
  const survey: SurveyDefinition = { code: str(raw, 'code', '', problem), title: texts(raw, 'title', '', problem), questions };
  if (problems.length > 0) return { problems };
  const checked = checkSurvey(survey);
  return checked.length > 0 ? { problems: checked } : { survey };
}
