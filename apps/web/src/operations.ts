// The citizen-scope operations this app uses, with the shapes it reads back (apps/hub/schema.graphql is the contract).

export const REQUEST_CODE = 'mutation($channel: String!, $address: String!) { requestSignInCode(channel: $channel, address: $address) }';
export const SIGN_IN = 'mutation($channel: String!, $address: String!, $code: String!) { signIn(channel: $channel, address: $address, code: $code) { token expiresAt } }';
export const SIGN_OUT = 'mutation { signOut }';

export interface SignInResult {
  readonly signIn: { readonly token: string; readonly expiresAt: string };
}

export const ME = `{ me { id name nationalId language timezone digest quietHours { start end } channelOrder { category channels }
  caps { messageClass count periodSeconds }
  contactPoints { id channel address verified verifiedBy invalid }
  delegates { id citizenId direction relation nationalId since } } }`;

export interface QuietHours {
  readonly start: string;
  readonly end: string;
}

export interface ContactPoint {
  readonly id: string;
  readonly channel: string;
  readonly address: string;
  readonly verified: boolean;
  readonly verifiedBy: string | null;
  readonly invalid: boolean;
}

export interface ChannelOrder {
  readonly category: string;
  readonly channels: readonly string[];
}

export interface Cap {
  readonly messageClass: string;
  readonly count: number;
  readonly periodSeconds: number;
}

export interface Delegation {
  readonly id: string;
  readonly citizenId: string;
  readonly direction: 'ACTS_FOR_ME' | 'I_ACT_FOR';
  readonly relation: string;
  readonly nationalId: string | null;
  readonly since: string;
}

export interface Me {
  readonly id: string;
  readonly name: string | null;
  readonly nationalId: string | null;
  readonly language: string;
  readonly timezone: string;
  readonly digest: boolean;
  readonly quietHours: QuietHours | null;
  readonly channelOrder: readonly ChannelOrder[];
  readonly caps: readonly Cap[];
  readonly contactPoints: readonly ContactPoint[];
  readonly delegates: readonly Delegation[];
}

export const UPDATE_PREFERENCES = 'mutation($input: UpdatePreferencesInput!) { updatePreferences(input: $input) { language } }';

export interface PreferencesInput {
  readonly language?: string;
  readonly timezone?: string;
  readonly digest?: boolean;
  readonly quietHours?: QuietHours | null;
  readonly channelOrder?: readonly ChannelOrder[];
  readonly caps?: readonly Cap[];
}

export const INBOX = `query($after: String) { myInbox(limit: 20, after: $after) { unread next
  messages { notificationId agencyName eventType subject body locale receivedAt readAt } } }`;
export const MARK_READ = 'mutation($ids: [ID!]!) { markInboxRead(notificationIds: $ids) }';

const INBOX_SURVEY = 'notificationId title state answered question { id kind text choices { code label } min max maxLength }';
export const MY_SURVEYS = `{ mySurveys { ${INBOX_SURVEY} } }`;
export const ANSWER_SURVEY = `mutation($n: ID!, $q: String!, $a: String!) { answerSurvey(notificationId: $n, questionId: $q, answer: $a) { ${INBOX_SURVEY} } }`;

export interface SurveyQuestion {
  readonly id: string;
  readonly kind: 'choice' | 'rating' | 'text';
  readonly text: string;
  readonly choices: readonly { readonly code: string; readonly label: string }[];
  readonly min: number | null;
  readonly max: number | null;
  readonly maxLength: number | null;
}

/** A survey an agency asked with an inbox message: the question it waits for, or how it ended. */
export interface InboxSurvey {
  readonly notificationId: string;
  readonly title: string;
  readonly state: 'open' | 'completed' | 'abandoned' | 'expired';
  readonly answered: number;
  readonly question: SurveyQuestion | null;
}
export const MARK_ALL_READ = 'mutation { markAllInboxRead }';

export interface InboxMessage {
  readonly notificationId: string;
  readonly agencyName: string;
  readonly eventType: string;
  readonly subject: string | null;
  readonly body: string;
  readonly locale: string;
  readonly receivedAt: string;
  readonly readAt: string | null;
}

export interface InboxPage {
  readonly unread: number;
  readonly next: string | null;
  readonly messages: readonly InboxMessage[];
}

export const HISTORY = `query($after: ID) { myNotifications(limit: 20, after: $after) { id agencyName eventType messageClass channel state reason decisionTrail
  subject dueAt createdAt forDelegate purged } }`;

export interface HistoryItem {
  readonly id: string;
  readonly agencyName: string;
  readonly eventType: string;
  readonly messageClass: string | null;
  readonly channel: string | null;
  readonly state: string;
  readonly reason: string | null;
  readonly decisionTrail: readonly string[];
  readonly subject: string | null;
  readonly dueAt: string | null;
  readonly createdAt: string;
  readonly forDelegate: boolean;
  readonly purged: boolean;
}

export const ADD_CONTACT = 'mutation($channel: String!, $address: String!) { addContactPoint(channel: $channel, address: $address) { id } }';
export const VERIFY_CONTACT = 'mutation($id: ID!, $code: String!) { verifyContactPoint(id: $id, code: $code) { id verified } }';
export const REMOVE_CONTACT = 'mutation($id: ID!) { removeContactPoint(id: $id) }';

export const CONSENTS = `{ consentPurposes { purpose noticeVersion agencies descriptions }
  me { consents { current { purpose granted noticeVersion since } history { purpose action noticeVersion channel recordedAt } } } }`;
export const GRANT = 'mutation($purpose: String!, $version: String!) { grantConsent(purpose: $purpose, noticeVersion: $version) { recordedAt } }';
export const WITHDRAW = 'mutation($purpose: String!, $version: String!) { withdrawConsent(purpose: $purpose, noticeVersion: $version) { recordedAt } }';

export interface ConsentPurpose {
  readonly purpose: string;
  readonly noticeVersion: string;
  readonly agencies: readonly string[];
  readonly descriptions: readonly string[];
}

export interface ConsentState {
  readonly purpose: string;
  readonly granted: boolean;
  readonly noticeVersion: string;
  readonly since: string;
}

export interface ConsentRecord {
  readonly purpose: string;
  readonly action: string;
  readonly noticeVersion: string;
  readonly channel: string | null;
  readonly recordedAt: string;
}

export interface Consents {
  readonly consentPurposes: readonly ConsentPurpose[];
  readonly me: { readonly consents: { readonly current: readonly ConsentState[]; readonly history: readonly ConsentRecord[] } };
}

export const EXPORT = '{ exportMyData }';

export const ADD_DELEGATE = 'mutation($nationalId: String!, $relation: String!) { addDelegate(nationalId: $nationalId, relation: $relation) { id } }';
export const REMOVE_DELEGATE = 'mutation($delegateId: ID!) { removeDelegate(delegateId: $delegateId) }';

const MY_COMPLAINT = 'id reference agencyName channel state openedAt answerDueAt messages { direction text hasMedia at }';
export const MY_COMPLAINTS = `{ myComplaints { ${MY_COMPLAINT} } }`;
export const ADD_TO_MY_COMPLAINT = `mutation($id: ID!, $text: String!) { addToMyComplaint(id: $id, text: $text) { ${MY_COMPLAINT} } }`;

export interface MyComplaint {
  readonly id: string;
  readonly reference: string;
  readonly agencyName: string;
  readonly channel: string;
  readonly state: 'open' | 'answered' | 'closed';
  readonly openedAt: string;
  /** While the agency's answer is awaited: when it aims to have answered by. */
  readonly answerDueAt: string | null;
  readonly messages: readonly { readonly direction: string; readonly text: string | null; readonly hasMedia: boolean; readonly at: string }[];
}
