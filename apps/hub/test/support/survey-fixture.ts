const t = (id: string, en: string) => ({ id, en });

/** The complaint desk's satisfaction survey as an agency saves it: the dissatisfied skip the score and say what went wrong. */
export const SATISFACTION = {
  code: 'kepuasan-layanan',
  title: t('Survei kepuasan layanan', 'Service satisfaction survey'),
  questions: [
    { id: 'puas', kind: 'choice', text: t('Puas dengan penanganan laporan Anda?', 'Satisfied?'), choices: [{ code: 'ya', label: t('Ya', 'Yes') }, { code: 'tidak', label: t('Tidak', 'No'), next: 'masalah' }] },
    { id: 'skor', kind: 'rating', text: t('Beri nilai 1-5', 'Score 1-5'), min: 1, max: 5, next: 'end' },
    { id: 'masalah', kind: 'text', text: t('Apa yang kurang?', 'What went wrong?') },
  ],
};

export { t as texts };
