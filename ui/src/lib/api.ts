// The one place the UI talks to the Rust side. Every command is wrapped in a typed function and
// every failure is turned into an ApiError, so screens only ever branch on `code` and `field`.
import { invoke, type InvokeArgs } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type {
  Appointment,
  AppointmentImportOptions,
  AppointmentImportPreview,
  AppointmentImportReport,
  AppointmentInput,
  AppointmentStatus,
  BackupInfo,
  ExportSummary,
  BackupStatus,
  ChangeBatch,
  Client,
  ClientDetail,
  ClientInput,
  ConnectionCheck,
  ConsentEvent,
  ConsentInput,
  Disclosures,
  DoctorReport,
  ErrorCode,
  ErrorPayload,
  ExportedFile,
  ExportFormat,
  SmsGateInput,
  Feed,
  GatewayStatus,
  ProviderHealth,
  FeedInput,
  FeedRead,
  ImportOptions,
  ImportPreview,
  ImportProgress,
  ImportReport,
  InboxCounts,
  InboxFilter,
  InboxSearchHit,
  InboxView,
  InsightsReport,
  NoticeInput,
  NoticePreview,
  NoticeProgress,
  OutboxMessage,
  Preset,
  PresetInfo,
  ProviderView,
  Purpose,
  ReminderRule,
  ReminderRuleInput,
  RestorePreview,
  RestoreReport,
  SandboxText,
  SegmentInfo,
  Settings,
  SettingsUpdate,
  SetupDefaults,
  Service,
  SetupInput,
  Staff,
  StagedFile,
  Template,
  TemplatePreview,
  TemplateVersion,
  ThreadView,
  TodayView,
  TwilioInput,
  UpdateInput,
  UpdatePreview,
  UpdateTemplate,
} from './bindings';

const ERROR_CODES: readonly ErrorCode[] = [
  'invalid_input',
  'setup_required',
  'data_folder',
  'database_corrupt',
  'database_too_new',
  'database_busy',
  'storage',
  'provider',
  'not_found',
  'conflict',
  'import_file',
  'internal',
  'keyring',
  'credentials_rejected',
  'provider_offline',
  'sender_busy',
];

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly field: string | null;
  /** The record the error points at, e.g. the client who already has a number. */
  readonly relatedId: number | null;

  constructor(code: ErrorCode, message: string, field: string | null = null, relatedId: number | null = null) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.field = field;
    this.relatedId = relatedId;
  }
}

function isErrorPayload(value: unknown): value is ErrorPayload {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.code === 'string' &&
    typeof v.message === 'string' &&
    (v.field === undefined || v.field === null || typeof v.field === 'string') &&
    (v.related_id === undefined || v.related_id === null || typeof v.related_id === 'number')
  );
}

/** Turn whatever a failed `invoke` rejected with into an ApiError. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (isErrorPayload(err)) {
    const code = ERROR_CODES.includes(err.code) ? err.code : 'internal';
    return new ApiError(code, err.message, err.field ?? null, err.related_id ?? null);
  }
  if (typeof err === 'string') return new ApiError('internal', err);
  if (err instanceof Error) return new ApiError('internal', err.message);
  return new ApiError('internal', String(err));
}

async function call<T>(cmd: string, args?: InvokeArgs): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (err) {
    throw toApiError(err);
  }
}

export function getSettings(): Promise<Settings> {
  return call<Settings>('get_settings');
}

export function getSetupDefaults(): Promise<SetupDefaults> {
  return call<SetupDefaults>('get_setup_defaults');
}

export function completeSetup(input: SetupInput): Promise<Settings> {
  return call<Settings>('complete_setup', { input });
}

/** Only the fields present change; a cap of 0 means "keep". */
export function updateSettings(update: SettingsUpdate): Promise<Settings> {
  return call<Settings>('update_settings', { update });
}

/** Where backups go, the last good one, the recent ones and whether one is overdue. */
export function getBackupStatus(): Promise<BackupStatus> {
  return call<BackupStatus>('get_backup_status');
}

/** Backs up now and checks the copy; a failure's message says what to do. */
export function backupNow(): Promise<BackupInfo> {
  return call<BackupInfo>('backup_now');
}

/** Everything the desk holds (clients, appointments, texts, consent ledger) as one zip in Downloads. */
export function exportAllData(): Promise<ExportSummary> {
  return call<ExportSummary>('export_all_data');
}

/** What a backup file holds, without changing anything; a damaged or too-new file fails. */
export function previewRestore(path: string): Promise<RestorePreview> {
  return call<RestorePreview>('preview_restore', { path });
}

/** Backs up the current data first, then replaces it with the backup's; emits a 'restored' change. */
export function restoreBackup(path: string): Promise<RestoreReport> {
  return call<RestoreReport>('restore_backup', { path });
}

/** Whether Tidings starts (in the tray) when this computer's user logs in. */
export function getOpenAtLogin(): Promise<boolean> {
  return call<boolean>('get_open_at_login');
}

/** Turns starting at login on or off; resolves to the state now in effect. */
export function setOpenAtLogin(enabled: boolean): Promise<boolean> {
  return call<boolean>('set_open_at_login', { enabled });
}

export function getDoctor(): Promise<DoctorReport> {
  return call<DoctorReport>('get_doctor');
}

export function listClients(query: string, includeArchived: boolean): Promise<Client[]> {
  return call<Client[]>('list_clients', { query, includeArchived });
}

/** The client and their consent ledger, oldest event first. */
export function getClient(id: number): Promise<ClientDetail> {
  return call<ClientDetail>('get_client', { id });
}

export function createClient(input: ClientInput): Promise<Client> {
  return call<Client>('create_client', { input });
}

export function updateClient(id: number, input: ClientInput): Promise<Client> {
  return call<Client>('update_client', { id, input });
}

export function setClientArchived(id: number, archived: boolean): Promise<Client> {
  return call<Client>('set_client_archived', { id, archived });
}

export function recordConsent(input: ConsentInput): Promise<ConsentEvent> {
  return call<ConsentEvent>('record_consent', { input });
}

export function getDisclosures(): Promise<Disclosures> {
  return call<Disclosures>('get_disclosures');
}

/** `template` may use "{business}" for the business name. */
export function updateDisclosure(purpose: Purpose, template: string): Promise<Disclosures> {
  return call<Disclosures>('update_disclosure', { purpose, template });
}

/** The raw file bytes travel as the whole request body, not as JSON. */
export function stageImportFile(bytes: Uint8Array): Promise<StagedFile> {
  return call<StagedFile>('stage_import_file', bytes);
}

/** Leave `options.mapping` out to get the guessed mapping back in the preview. */
export function previewImport(token: number, options: ImportOptions): Promise<ImportPreview> {
  return call<ImportPreview>('preview_import', { token, options });
}

export function runImport(token: number, options: ImportOptions, dryRun: boolean): Promise<ImportReport> {
  return call<ImportReport>('run_import', { token, options, dryRun });
}

export function exportConsent(clientId: number, format: ExportFormat): Promise<ExportedFile> {
  return call<ExportedFile>('export_consent', { clientId, format });
}

/** Every appointment overlapping [from, to) (ISO-8601 UTC), cancelled ones included. */
export function listAppointments(from: string, to: string, staffId?: number): Promise<Appointment[]> {
  return call<Appointment[]>('list_appointments', staffId === undefined ? { from, to } : { from, to, staffId });
}

export function getAppointment(id: number): Promise<Appointment> {
  return call<Appointment>('get_appointment', { id });
}

export function createAppointment(input: AppointmentInput): Promise<Appointment> {
  return call<Appointment>('create_appointment', { input });
}

/** Used for edits, drags and resizes alike: the whole input is sent every time. */
export function updateAppointment(id: number, input: AppointmentInput): Promise<Appointment> {
  return call<Appointment>('update_appointment', { id, input });
}

export function setAppointmentStatus(id: number, status: AppointmentStatus): Promise<Appointment> {
  return call<Appointment>('set_appointment_status', { id, status });
}

export function listServices(): Promise<Service[]> {
  return call<Service[]>('list_services');
}

export function saveService(id: number | null, name: string, minutes: number): Promise<Service> {
  return call<Service>('save_service', { id, name, minutes });
}

export function listStaff(): Promise<Staff[]> {
  return call<Staff[]>('list_staff');
}

export function saveStaff(id: number | null, name: string): Promise<Staff> {
  return call<Staff>('save_staff', { id, name });
}

/** Today's appointments in the business's zone, by start. */
export function getToday(): Promise<TodayView> {
  return call<TodayView>('get_today');
}

/** Leave `options.mapping` out to get the guessed mapping back (CSV); ICS files have none. */
export function previewAppointmentImport(
  token: number,
  options: AppointmentImportOptions,
): Promise<AppointmentImportPreview> {
  return call<AppointmentImportPreview>('preview_appointment_import', { token, options });
}

export function runAppointmentImport(
  token: number,
  options: AppointmentImportOptions,
): Promise<AppointmentImportReport> {
  return call<AppointmentImportReport>('run_appointment_import', { token, options });
}

/** How a text would travel: encoding, segments and the characters that force UCS-2. */
export function countSegments(text: string): Promise<SegmentInfo> {
  return call<SegmentInfo>('count_segments', { text });
}

/** The text with smart quotes, dashes, ellipses and non-breaking spaces made plain. */
export function fixPunctuation(text: string): Promise<string> {
  return call<string>('fix_punctuation', { text });
}

export function listTemplates(): Promise<Template[]> {
  return call<Template[]>('list_templates');
}

/** Every saved wording of a template, newest first. */
export function templateHistory(templateId: number): Promise<TemplateVersion[]> {
  return call<TemplateVersion[]>('template_history', { templateId });
}

/** Saves the wording as a new version; an unknown variable fails on field "body". */
/** Saves new wording; `translations` ({ es: "…" }) replaces the other languages' texts. */
export function saveTemplate(
  templateId: number,
  body: string,
  translations?: Record<string, string>,
): Promise<Template> {
  return call<Template>('save_template', translations ? { templateId, body, translations } : { templateId, body });
}

/** Saves an old wording again, as a new version. */
export function restoreTemplateVersion(templateId: number, version: number): Promise<Template> {
  return call<Template>('restore_template_version', { templateId, version });
}

/** The wording rendered against the next upcoming appointment, with its segments and warnings. */
/** `language` is the language `body` is written in (English when absent). */
export function previewTemplate(body: string, language?: string): Promise<TemplatePreview> {
  return call<TemplatePreview>('preview_template', language ? { body, language } : { body });
}

export function listPresets(): Promise<PresetInfo[]> {
  return call<PresetInfo[]>('list_presets');
}

/** Replaces every reminder rule with the preset's and plans reminders for upcoming appointments. */
export function applyPreset(preset: Preset): Promise<ReminderRule[]> {
  return call<ReminderRule[]>('apply_preset', { preset });
}

export function listReminderRules(): Promise<ReminderRule[]> {
  return call<ReminderRule[]>('list_reminder_rules');
}

export function saveReminderRule(input: ReminderRuleInput): Promise<ReminderRule> {
  return call<ReminderRule>('save_reminder_rule', { input });
}

/** Planned sends first (by send time), then recent sent, suppressed and cancelled ones. */
export function listOutbox(appointmentId?: number): Promise<OutboxMessage[]> {
  return call<OutboxMessage[]>('list_outbox', appointmentId === undefined ? {} : { appointmentId });
}

/** Stops a planned text; it comes back suppressed ("staff_cancelled"). */
export function skipMessage(id: number): Promise<OutboxMessage> {
  return call<OutboxMessage>('skip_message', { id });
}

/** Runs the sending checks now; the text may come back suppressed, with the reason in words. */
export function sendMessageNow(id: number): Promise<OutboxMessage> {
  return call<OutboxMessage>('send_message_now', { id });
}

/** Everything the simulated carrier carried to and from `phone`, oldest first. */
export function sandboxConversation(phone: string): Promise<SandboxText[]> {
  return call<SandboxText[]>('sandbox_conversation', { phone });
}

/** Sends `text` as the customer at `phone`; resolves to how many replies were routed. */
export function sandboxSend(phone: string, text: string): Promise<number> {
  return call<number>('sandbox_send', { phone, text });
}

/** Which provider sends texts, the Twilio account (never its secret), the keyring and any pause. */
export function getProvider(): Promise<ProviderView> {
  return call<ProviderView>('get_provider');
}

/** Signs in to Twilio with the form's details without saving or sending anything. */
export function testTwilioConnection(input: TwilioInput): Promise<ConnectionCheck> {
  return call<ConnectionCheck>('test_twilio_connection', { input });
}

/** Checks the account, keeps the secret in the OS keyring and sends through Twilio from now on. */
export function connectTwilio(input: TwilioInput): Promise<ProviderView> {
  return call<ProviderView>('connect_twilio', { input });
}

/** The provider in use and since when it has not answered, if it has not (cheap; for Today). */
export function getProviderHealth(): Promise<ProviderHealth> {
  return call<ProviderHealth>('get_provider_health');
}

/** Asks the gateway phone's health check and signs in; saves nothing. */
export function testSmsGateConnection(input: SmsGateInput): Promise<GatewayStatus> {
  return call<GatewayStatus>('test_smsgate_connection', { input });
}

/** Checks the gateway phone, keeps its password in the OS keyring and sends through it from now on. */
export function connectSmsGate(input: SmsGateInput): Promise<ProviderView> {
  return call<ProviderView>('connect_smsgate', { input });
}

/** Back to the Sandbox; `forget` also deletes the Twilio secret and settings. */
export function useSandbox(forget: boolean): Promise<ProviderView> {
  return call<ProviderView>('use_sandbox', { forget });
}

/** A test text to `to` through the connected provider; its delivery arrives as a 'messages' change. */
export function sendTestText(to: string): Promise<OutboxMessage> {
  return call<OutboxMessage>('send_test_text', { to });
}

/** Calendar feeds with their last read and any problem. */
export function listFeeds(): Promise<Feed[]> {
  return call<Feed[]>('list_feeds');
}

/** Adds a calendar feed after reading it once; one that can't be read is refused with why. */
export function addFeed(input: FeedInput): Promise<FeedRead> {
  return call<FeedRead>('add_feed', { input });
}

/** Reads one feed now. A read that fails is not an error: `problem` says why. */
export function syncFeed(id: number): Promise<FeedRead> {
  return call<FeedRead>('sync_feed', { id });
}

/** Removes a feed; the bookings it brought stay. */
export function removeFeed(id: number): Promise<void> {
  return call<void>('remove_feed', { id });
}

/** Lets the dispatcher go on after whatever paused sending has been fixed. */
export function resumeSending(): Promise<ProviderView> {
  return call<ProviderView>('resume_sending');
}

/** The threads a filter shows (newest first) and every filter's count. */
export function getInbox(filter: InboxFilter): Promise<InboxView> {
  return call<InboxView>('get_inbox', { filter });
}

/** The filters' counts and the unread total (the navigation badge). */
export function getInboxCounts(): Promise<InboxCounts> {
  return call<InboxCounts>('get_inbox_counts');
}

/** A thread with its texts, client, next appointment and quick replies; marks it read. */
export function openThread(id: number): Promise<ThreadView> {
  return call<ThreadView>('open_thread', { id });
}

/** Sends a staff answer; a refusal (opted out, too long, provider failure) fails on field "body". */
export function replyInThread(id: number, body: string): Promise<ThreadView> {
  return call<ThreadView>('reply_in_thread', { id, body });
}

export function resolveThread(id: number, resolved: boolean): Promise<ThreadView> {
  return call<ThreadView>('resolve_thread', { id, resolved });
}

/** Gives the thread to a staff member; an empty name clears it. */
export function assignThread(id: number, assignee: string): Promise<ThreadView> {
  return call<ThreadView>('assign_thread', { id, assignee });
}

/** `record` writes the opt-out (the customer's text is the evidence); false dismisses the flag. */
export function reviewPossibleOptOut(id: number, record: boolean, recordedBy: string): Promise<ThreadView> {
  return call<ThreadView>('review_possible_opt_out', { id, record, recordedBy });
}

/** Makes a client of an unknown number and ties the thread to them; fails on "name" or "phone". */
export function createClientFromThread(id: number, name: string): Promise<ThreadView> {
  return call<ThreadView>('create_client_from_thread', { id, name });
}

/** Texts matching the words, newest first; each snippet has the match between « and ». */
export function searchInbox(query: string): Promise<InboxSearchHit[]> {
  return call<InboxSearchHit[]>('search_inbox', { query });
}

/** The ready-made status updates ("Running late" needs minutes). */
export function listUpdateTemplates(): Promise<UpdateTemplate[]> {
  return call<UpdateTemplate[]>('list_update_templates');
}

/** The update exactly as the client would read it, and why it can't go now (`blocked`), if it can't. */
export function previewUpdate(appointmentId: number, input: UpdateInput): Promise<UpdatePreview> {
  return call<UpdatePreview>('preview_update', { appointmentId, input });
}

/** Sends a status update now; a refusal (opted out, quiet hours, not sent) fails on field "text". */
export function sendUpdate(appointmentId: number, input: UpdateInput): Promise<OutboxMessage> {
  return call<OutboxMessage>('send_update', { appointmentId, input });
}

/** A starting wording for a day-wide notice, with {placeholders}. */
export function getNoticeSuggestion(): Promise<string> {
  return call<string>('get_notice_suggestion');
}

/** Who a notice reaches, who it doesn't and why, before anything is sent. */
export function previewNotice(input: NoticeInput): Promise<NoticePreview> {
  return call<NoticePreview>('preview_notice', { input });
}

/** Queues the notice for every reachable, consenting client; texts go out as 'messages' changes. */
export function sendNotice(input: NoticeInput): Promise<NoticeProgress> {
  return call<NoticeProgress>('send_notice', { input });
}

export function getNoticeProgress(noticeId: number): Promise<NoticeProgress> {
  return call<NoticeProgress>('get_notice_progress', { noticeId });
}

/** The desk's figures for business-local days `from` to `to` (inclusive, "YYYY-MM-DD"). */
export function getInsights(from: string, to: string): Promise<InsightsReport> {
  return call<InsightsReport>('get_insights', { from, to });
}

/** The same figures as a CSV in Downloads (never over an existing file). */
export function exportInsights(from: string, to: string): Promise<ExportedFile> {
  return call<ExportedFile>('export_insights', { from, to });
}

/** Did any change in the batch touch one of these kinds (including ones newer than the bindings)? */
export function touches(batch: ChangeBatch, kinds: readonly string[]): boolean {
  return batch.changes.some((c) => kinds.includes(c.kind as string));
}

export const CHANGES_EVENT = 'tidings://changes';
export const SECOND_INSTANCE_EVENT = 'tidings://second-instance';
export const IMPORT_PROGRESS_EVENT = 'tidings://import-progress';

export function onChanges(handler: (batch: ChangeBatch) => void): Promise<UnlistenFn> {
  return listen<ChangeBatch>(CHANGES_EVENT, (event) => handler(event.payload));
}

export function onSecondInstance(handler: () => void): Promise<UnlistenFn> {
  return listen<null>(SECOND_INSTANCE_EVENT, () => handler());
}

export function onImportProgress(handler: (progress: ImportProgress) => void): Promise<UnlistenFn> {
  return listen<ImportProgress>(IMPORT_PROGRESS_EVENT, (event) => handler(event.payload));
}
