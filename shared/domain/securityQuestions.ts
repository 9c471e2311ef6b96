/** The questions a patient may pick from. Ids are stored; wording can be improved without migration. */
export const SECURITY_QUESTIONS = [
  { id: 'first-pet', text: 'What was the name of your first pet?' },
  { id: 'birth-city', text: 'In what city were you born?' },
  { id: 'mother-maiden', text: "What is your mother's maiden name?" },
  { id: 'first-school', text: 'What was the name of your first school?' },
  { id: 'first-car', text: 'What was the make of your first car?' },
  { id: 'childhood-friend', text: 'What is the first name of your childhood best friend?' },
  { id: 'favourite-teacher', text: 'What was the last name of your favorite teacher?' },
  { id: 'street-grew-up', text: 'What street did you grow up on?' },
] as const;
export type SecurityQuestionId = (typeof SECURITY_QUESTIONS)[number]['id'];
export const SECURITY_QUESTION_IDS: readonly string[] = SECURITY_QUESTIONS.map((q) => q.id);
