import { computed } from 'vue';
import type { Ref } from 'vue';
import { i18n, tx } from '../i18n';

export interface ErrorSummaryOptions<TName extends string> {
  /** vee-validate's errors, in the schema's English. */
  errors: Readonly<Ref<Partial<Record<TName, string | undefined>>>>;
  /** Set when a send stopped at the form's own checks: the summary shows until the next send. */
  checksFailed: Readonly<Ref<boolean>>;
  /** The form's fields in page order. */
  fields: readonly TName[];
  /** Message keys of the fields' labels; without them a form has no summary. */
  labels: Partial<Record<TName, string>> | undefined;
  fieldId: (name: TName) => string;
}

/**
 * A form's errors in the page's language, and the props of its ErrorSummary.vue (null while it
 * should not show): shared by useApiForm and the registration form.
 */
export function useErrorSummary<TName extends string>(options: ErrorSummaryOptions<TName>) {
  // The schema's messages are written in English; each is shown in the page's language.
  const shownErrors = computed(() => Object.fromEntries(Object.entries(options.errors.value).map(([path, text]) => [path, tx(text as string | undefined)])) as Partial<Record<TName, string | undefined>>);

  const summary = computed(() => {
    const labels = options.labels;
    if (!labels || !options.checksFailed.value) {
      return null;
    }
    const shown = shownErrors.value as Partial<Record<string, string | undefined>>;
    const fields = options.fields.filter((name) => labels[name]).map((name) => ({ name, id: options.fieldId(name), label: i18n.global.t(labels[name] ?? '') }));
    const count = fields.filter((f) => !!shown[f.name]).length;
    return { title: i18n.global.t('form.summary', { n: count }, count), fields, errors: shown };
  });

  return { shownErrors, summary };
}
