// Generated from src-tauri/src/command_list.rs by the engine's tests/bindings.rs; do not
// edit. `UPDATE_BINDINGS=1 cargo test -p tidings-engine --test bindings` writes it again.
import type { Appointment, AppointmentImportOptions, AppointmentImportPreview, AppointmentImportReport, AppointmentInput, AppointmentStatus, BackupInfo, BackupStatus, Client, ClientDetail, ClientInput, ConnectionCheck, ConsentEvent, ConsentInput, Disclosures, DoctorReport, ExportFormat, ExportSummary, ExportedFile, Feed, FeedInput, FeedRead, GatewayStatus, ImportOptions, ImportPreview, ImportReport, InboxCounts, InboxFilter, InboxSearchHit, InboxView, InsightsReport, NoticeInput, NoticePreview, NoticeProgress, OutboxMessage, Preset, PresetInfo, ProviderHealth, ProviderView, Purpose, ReminderRule, ReminderRuleInput, RestorePreview, RestoreReport, SandboxText, SegmentInfo, Service, Settings, SettingsUpdate, SetupDefaults, SetupInput, SmsGateInput, Staff, StagedFile, Template, TemplatePreview, TemplateVersion, ThreadView, TodayView, TwilioInput, UpdateInput, UpdatePreview, UpdateTemplate } from './bindings';
import { call, callRaw } from './ipc';

/** Every command the window may call, by its Rust name. */
export const COMMAND_NAMES = [
  'get_settings',
  'get_setup_defaults',
  'complete_setup',
  'update_settings',
  'get_doctor',
  'get_backup_status',
  'backup_now',
  'export_all_data',
  'preview_restore',
  'restore_backup',
  'get_open_at_login',
  'set_open_at_login',
  'list_clients',
  'get_client',
  'create_client',
  'update_client',
  'set_client_archived',
  'record_consent',
  'get_disclosures',
  'update_disclosure',
  'stage_import_file',
  'preview_import',
  'run_import',
  'export_consent',
  'list_appointments',
  'get_appointment',
  'create_appointment',
  'update_appointment',
  'set_appointment_status',
  'get_today',
  'list_services',
  'save_service',
  'list_staff',
  'save_staff',
  'preview_appointment_import',
  'run_appointment_import',
  'count_segments',
  'fix_punctuation',
  'list_templates',
  'template_history',
  'save_template',
  'restore_template_version',
  'preview_template',
  'list_presets',
  'apply_preset',
  'list_reminder_rules',
  'save_reminder_rule',
  'list_outbox',
  'skip_message',
  'send_message_now',
  'sandbox_conversation',
  'sandbox_send',
  'list_feeds',
  'add_feed',
  'sync_feed',
  'remove_feed',
  'get_provider',
  'test_twilio_connection',
  'connect_twilio',
  'test_smsgate_connection',
  'connect_smsgate',
  'get_provider_health',
  'use_sandbox',
  'send_test_text',
  'resume_sending',
  'get_inbox',
  'get_inbox_counts',
  'open_thread',
  'reply_in_thread',
  'resolve_thread',
  'assign_thread',
  'review_possible_opt_out',
  'create_client_from_thread',
  'search_inbox',
  'list_update_templates',
  'get_notice_suggestion',
  'preview_update',
  'send_update',
  'preview_notice',
  'send_notice',
  'get_notice_progress',
  'get_insights',
  'export_insights',
] as const;

export type CommandName = (typeof COMMAND_NAMES)[number];

/** Each command's arguments, as the window sends them. */
export type CommandArgs = {
  get_settings: Record<string, never>;
  get_setup_defaults: Record<string, never>;
  complete_setup: { input: SetupInput };
  update_settings: { update: SettingsUpdate };
  get_doctor: Record<string, never>;
  get_backup_status: Record<string, never>;
  backup_now: Record<string, never>;
  export_all_data: Record<string, never>;
  preview_restore: { path: string };
  restore_backup: { path: string };
  get_open_at_login: Record<string, never>;
  set_open_at_login: { enabled: boolean };
  list_clients: { query: string; includeArchived: boolean };
  get_client: { id: number };
  create_client: { input: ClientInput };
  update_client: { id: number; input: ClientInput };
  set_client_archived: { id: number; archived: boolean };
  record_consent: { input: ConsentInput };
  get_disclosures: Record<string, never>;
  update_disclosure: { purpose: Purpose; template: string };
  stage_import_file: Uint8Array;
  preview_import: { token: number; options: ImportOptions };
  run_import: { token: number; options: ImportOptions; dryRun: boolean };
  export_consent: { clientId: number; format: ExportFormat };
  list_appointments: { from: string; to: string; staffId?: number | null };
  get_appointment: { id: number };
  create_appointment: { input: AppointmentInput };
  update_appointment: { id: number; input: AppointmentInput };
  set_appointment_status: { id: number; status: AppointmentStatus };
  get_today: Record<string, never>;
  list_services: Record<string, never>;
  save_service: { id: number | null; name: string; minutes: number };
  list_staff: Record<string, never>;
  save_staff: { id: number | null; name: string };
  preview_appointment_import: { token: number; options: AppointmentImportOptions };
  run_appointment_import: { token: number; options: AppointmentImportOptions };
  count_segments: { text: string };
  fix_punctuation: { text: string };
  list_templates: Record<string, never>;
  template_history: { templateId: number };
  save_template: { templateId: number; body: string; translations?: { [key in string]: string } | null };
  restore_template_version: { templateId: number; version: number };
  preview_template: { body: string; language?: string | null };
  list_presets: Record<string, never>;
  apply_preset: { preset: Preset };
  list_reminder_rules: Record<string, never>;
  save_reminder_rule: { input: ReminderRuleInput };
  list_outbox: { appointmentId?: number | null };
  skip_message: { id: number };
  send_message_now: { id: number };
  sandbox_conversation: { phone: string };
  sandbox_send: { phone: string; text: string };
  list_feeds: Record<string, never>;
  add_feed: { input: FeedInput };
  sync_feed: { id: number };
  remove_feed: { id: number };
  get_provider: Record<string, never>;
  test_twilio_connection: { input: TwilioInput };
  connect_twilio: { input: TwilioInput };
  test_smsgate_connection: { input: SmsGateInput };
  connect_smsgate: { input: SmsGateInput };
  get_provider_health: Record<string, never>;
  use_sandbox: { forget: boolean };
  send_test_text: { to: string };
  resume_sending: Record<string, never>;
  get_inbox: { filter: InboxFilter };
  get_inbox_counts: Record<string, never>;
  open_thread: { id: number };
  reply_in_thread: { id: number; body: string };
  resolve_thread: { id: number; resolved: boolean };
  assign_thread: { id: number; assignee: string };
  review_possible_opt_out: { id: number; record: boolean; recordedBy: string };
  create_client_from_thread: { id: number; name: string };
  search_inbox: { query: string };
  list_update_templates: Record<string, never>;
  get_notice_suggestion: Record<string, never>;
  preview_update: { appointmentId: number; input: UpdateInput };
  send_update: { appointmentId: number; input: UpdateInput };
  preview_notice: { input: NoticeInput };
  send_notice: { input: NoticeInput };
  get_notice_progress: { noticeId: number };
  get_insights: { from: string; to: string };
  export_insights: { from: string; to: string };
};

/** Each command's result. */
export type CommandResult = {
  get_settings: Settings;
  get_setup_defaults: SetupDefaults;
  complete_setup: Settings;
  update_settings: Settings;
  get_doctor: DoctorReport;
  get_backup_status: BackupStatus;
  backup_now: BackupInfo;
  export_all_data: ExportSummary;
  preview_restore: RestorePreview;
  restore_backup: RestoreReport;
  get_open_at_login: boolean;
  set_open_at_login: boolean;
  list_clients: Array<Client>;
  get_client: ClientDetail;
  create_client: Client;
  update_client: Client;
  set_client_archived: Client;
  record_consent: ConsentEvent;
  get_disclosures: Disclosures;
  update_disclosure: Disclosures;
  stage_import_file: StagedFile;
  preview_import: ImportPreview;
  run_import: ImportReport;
  export_consent: ExportedFile;
  list_appointments: Array<Appointment>;
  get_appointment: Appointment;
  create_appointment: Appointment;
  update_appointment: Appointment;
  set_appointment_status: Appointment;
  get_today: TodayView;
  list_services: Array<Service>;
  save_service: Service;
  list_staff: Array<Staff>;
  save_staff: Staff;
  preview_appointment_import: AppointmentImportPreview;
  run_appointment_import: AppointmentImportReport;
  count_segments: SegmentInfo;
  fix_punctuation: string;
  list_templates: Array<Template>;
  template_history: Array<TemplateVersion>;
  save_template: Template;
  restore_template_version: Template;
  preview_template: TemplatePreview;
  list_presets: Array<PresetInfo>;
  apply_preset: Array<ReminderRule>;
  list_reminder_rules: Array<ReminderRule>;
  save_reminder_rule: ReminderRule;
  list_outbox: Array<OutboxMessage>;
  skip_message: OutboxMessage;
  send_message_now: OutboxMessage;
  sandbox_conversation: Array<SandboxText>;
  sandbox_send: number;
  list_feeds: Array<Feed>;
  add_feed: FeedRead;
  sync_feed: FeedRead;
  remove_feed: null;
  get_provider: ProviderView;
  test_twilio_connection: ConnectionCheck;
  connect_twilio: ProviderView;
  test_smsgate_connection: GatewayStatus;
  connect_smsgate: ProviderView;
  get_provider_health: ProviderHealth;
  use_sandbox: ProviderView;
  send_test_text: OutboxMessage;
  resume_sending: ProviderView;
  get_inbox: InboxView;
  get_inbox_counts: InboxCounts;
  open_thread: ThreadView;
  reply_in_thread: ThreadView;
  resolve_thread: ThreadView;
  assign_thread: ThreadView;
  review_possible_opt_out: ThreadView;
  create_client_from_thread: ThreadView;
  search_inbox: Array<InboxSearchHit>;
  list_update_templates: Array<UpdateTemplate>;
  get_notice_suggestion: string;
  preview_update: UpdatePreview;
  send_update: OutboxMessage;
  preview_notice: NoticePreview;
  send_notice: NoticeProgress;
  get_notice_progress: NoticeProgress;
  get_insights: InsightsReport;
  export_insights: ExportedFile;
};

export function getSettings(): Promise<Settings> {
  return call('get_settings', {});
}

export function getSetupDefaults(): Promise<SetupDefaults> {
  return call('get_setup_defaults', {});
}

export function completeSetup(input: SetupInput): Promise<Settings> {
  return call('complete_setup', { input });
}

/** Only the fields present change; a cap of 0 means "keep". */
export function updateSettings(update: SettingsUpdate): Promise<Settings> {
  return call('update_settings', { update });
}

export function getDoctor(): Promise<DoctorReport> {
  return call('get_doctor', {});
}

/** Where backups go, the last good one, the recent ones and whether one is overdue. */
export function getBackupStatus(): Promise<BackupStatus> {
  return call('get_backup_status', {});
}

/** Backs up now and checks the copy; a failure's message says what to do. */
export function backupNow(): Promise<BackupInfo> {
  return call('backup_now', {});
}

/** Everything the desk holds (clients, appointments, texts, consent ledger) as one zip in Downloads. */
export function exportAllData(): Promise<ExportSummary> {
  return call('export_all_data', {});
}

/** What a backup file holds, without changing anything; a damaged or too-new file fails. */
export function previewRestore(path: string): Promise<RestorePreview> {
  return call('preview_restore', { path });
}

/** Backs up the current data first, then replaces it with the backup's; emits a 'restored' change. */
export function restoreBackup(path: string): Promise<RestoreReport> {
  return call('restore_backup', { path });
}

/** Whether Tidings starts (in the tray) when this computer's user logs in. */
export function getOpenAtLogin(): Promise<boolean> {
  return call('get_open_at_login', {});
}

/** Turns starting at login on or off; resolves to the state now in effect. */
export function setOpenAtLogin(enabled: boolean): Promise<boolean> {
  return call('set_open_at_login', { enabled });
}

export function listClients(query: string, includeArchived: boolean): Promise<Array<Client>> {
  return call('list_clients', { query, includeArchived });
}

/** The client and their consent ledger, oldest event first. */
export function getClient(id: number): Promise<ClientDetail> {
  return call('get_client', { id });
}

export function createClient(input: ClientInput): Promise<Client> {
  return call('create_client', { input });
}

export function updateClient(id: number, input: ClientInput): Promise<Client> {
  return call('update_client', { id, input });
}

export function setClientArchived(id: number, archived: boolean): Promise<Client> {
  return call('set_client_archived', { id, archived });
}

export function recordConsent(input: ConsentInput): Promise<ConsentEvent> {
  return call('record_consent', { input });
}

export function getDisclosures(): Promise<Disclosures> {
  return call('get_disclosures', {});
}

/** `template` may use "{business}" for the business name. */
export function updateDisclosure(purpose: Purpose, template: string): Promise<Disclosures> {
  return call('update_disclosure', { purpose, template });
}

/** The raw file bytes travel as the whole request body, not as JSON. */
export function stageImportFile(bytes: Uint8Array): Promise<StagedFile> {
  return callRaw('stage_import_file', bytes);
}

/** Leave `options.mapping` out to get the guessed mapping back in the preview. */
export function previewImport(token: number, options: ImportOptions): Promise<ImportPreview> {
  return call('preview_import', { token, options });
}

/** Imports the staged file, sending progress events as rows are written. */
export function runImport(token: number, options: ImportOptions, dryRun: boolean): Promise<ImportReport> {
  return call('run_import', { token, options, dryRun });
}

/** One client's consent evidence as a file in Downloads. */
export function exportConsent(clientId: number, format: ExportFormat): Promise<ExportedFile> {
  return call('export_consent', { clientId, format });
}

/** Every appointment overlapping [from, to), cancelled ones included. */
export function listAppointments(from: string, to: string, staffId?: number | null): Promise<Array<Appointment>> {
  return call('list_appointments', { from, to, staffId });
}

export function getAppointment(id: number): Promise<Appointment> {
  return call('get_appointment', { id });
}

export function createAppointment(input: AppointmentInput): Promise<Appointment> {
  return call('create_appointment', { input });
}

/** Used for edits, drags and resizes alike: the whole input is sent every time. */
export function updateAppointment(id: number, input: AppointmentInput): Promise<Appointment> {
  return call('update_appointment', { id, input });
}

export function setAppointmentStatus(id: number, status: AppointmentStatus): Promise<Appointment> {
  return call('set_appointment_status', { id, status });
}

/** Today's appointments in the business's zone, by start. */
export function getToday(): Promise<TodayView> {
  return call('get_today', {});
}

export function listServices(): Promise<Array<Service>> {
  return call('list_services', {});
}

export function saveService(id: number | null, name: string, minutes: number): Promise<Service> {
  return call('save_service', { id, name, minutes });
}

export function listStaff(): Promise<Array<Staff>> {
  return call('list_staff', {});
}

export function saveStaff(id: number | null, name: string): Promise<Staff> {
  return call('save_staff', { id, name });
}

/** Leave `options.mapping` out to get the guessed mapping back (CSV); ICS files have none. */
export function previewAppointmentImport(token: number, options: AppointmentImportOptions): Promise<AppointmentImportPreview> {
  return call('preview_appointment_import', { token, options });
}

export function runAppointmentImport(token: number, options: AppointmentImportOptions): Promise<AppointmentImportReport> {
  return call('run_appointment_import', { token, options });
}

/** How a text would travel: encoding, segments and the characters that force UCS-2. */
export function countSegments(text: string): Promise<SegmentInfo> {
  return call('count_segments', { text });
}

/** The text with smart quotes, dashes, ellipses and non-breaking spaces made plain. */
export function fixPunctuation(text: string): Promise<string> {
  return call('fix_punctuation', { text });
}

export function listTemplates(): Promise<Array<Template>> {
  return call('list_templates', {});
}

/** Every saved wording of a template, newest first. */
export function templateHistory(templateId: number): Promise<Array<TemplateVersion>> {
  return call('template_history', { templateId });
}

/** Saves new wording as a new version; an unknown variable fails on field "body". `translations` ({ es: "…" }) replaces the other languages' texts. */
export function saveTemplate(templateId: number, body: string, translations?: { [key in string]: string } | null): Promise<Template> {
  return call('save_template', { templateId, body, translations });
}

/** Saves an old wording again, as a new version. */
export function restoreTemplateVersion(templateId: number, version: number): Promise<Template> {
  return call('restore_template_version', { templateId, version });
}

/** The wording rendered against the next upcoming appointment, with its segments and warnings. `language` is the language `body` is written in (the desk's when absent). */
export function previewTemplate(body: string, language?: string | null): Promise<TemplatePreview> {
  return call('preview_template', { body, language });
}

export function listPresets(): Promise<Array<PresetInfo>> {
  return call('list_presets', {});
}

/** Replaces the reminder rules with the preset's and plans reminders for upcoming appointments. */
export function applyPreset(preset: Preset): Promise<Array<ReminderRule>> {
  return call('apply_preset', { preset });
}

export function listReminderRules(): Promise<Array<ReminderRule>> {
  return call('list_reminder_rules', {});
}

export function saveReminderRule(input: ReminderRuleInput): Promise<ReminderRule> {
  return call('save_reminder_rule', { input });
}

/** Planned sends first (by send time), then recent sent, suppressed and cancelled ones. */
export function listOutbox(appointmentId?: number | null): Promise<Array<OutboxMessage>> {
  return call('list_outbox', { appointmentId });
}

/** Stops a planned text; it comes back suppressed ("staff_cancelled"). */
export function skipMessage(id: number): Promise<OutboxMessage> {
  return call('skip_message', { id });
}

/** Runs the sending checks now; the text may come back suppressed, with the reason in words. */
export function sendMessageNow(id: number): Promise<OutboxMessage> {
  return call('send_message_now', { id });
}

/** Everything the simulated carrier carried to and from `phone`, oldest first. */
export function sandboxConversation(phone: string): Promise<Array<SandboxText>> {
  return call('sandbox_conversation', { phone });
}

/** Sends `text` as the customer at `phone`; resolves to how many replies were routed. */
export function sandboxSend(phone: string, text: string): Promise<number> {
  return call('sandbox_send', { phone, text });
}

/** Calendar feeds with their last read and any problem. */
export function listFeeds(): Promise<Array<Feed>> {
  return call('list_feeds', {});
}

/** Adds a calendar feed after reading it once; one that can't be read is refused with why. */
export function addFeed(input: FeedInput): Promise<FeedRead> {
  return call('add_feed', { input });
}

/** Reads one feed now. A read that fails is not an error: `problem` says why. */
export function syncFeed(id: number): Promise<FeedRead> {
  return call('sync_feed', { id });
}

/** Removes a feed; the bookings it brought stay. */
export function removeFeed(id: number): Promise<null> {
  return call('remove_feed', { id });
}

/** Which provider sends texts, the account (never its secret), the keyring and any pause. */
export function getProvider(): Promise<ProviderView> {
  return call('get_provider', {});
}

/** Signs in to Twilio with the form's details without saving or sending anything. */
export function testTwilioConnection(input: TwilioInput): Promise<ConnectionCheck> {
  return call('test_twilio_connection', { input });
}

/** Checks the account, keeps the secret in the OS keyring and sends through Twilio from now on. */
export function connectTwilio(input: TwilioInput): Promise<ProviderView> {
  return call('connect_twilio', { input });
}

/** Asks the gateway phone's health check and signs in; saves nothing. */
export function testSmsgateConnection(input: SmsGateInput): Promise<GatewayStatus> {
  return call('test_smsgate_connection', { input });
}

/** Checks the gateway phone, keeps its password in the OS keyring and sends through it from now on. */
export function connectSmsgate(input: SmsGateInput): Promise<ProviderView> {
  return call('connect_smsgate', { input });
}

/** The provider in use and since when it has not answered, if it has not. No keyring, no network: cheap enough for Today. */
export function getProviderHealth(): Promise<ProviderHealth> {
  return call('get_provider_health', {});
}

/** Back to the Sandbox; `forget` also deletes the provider's secret and settings. */
export function useSandbox(forget: boolean): Promise<ProviderView> {
  return call('use_sandbox', { forget });
}

/** A test text to `to` through the connected provider; its delivery arrives as a 'messages' change. */
export function sendTestText(to: string): Promise<OutboxMessage> {
  return call('send_test_text', { to });
}

/** Lets the dispatcher go on after whatever paused sending has been fixed. */
export function resumeSending(): Promise<ProviderView> {
  return call('resume_sending', {});
}

/** The threads a filter shows (newest first) and every filter's count. */
export function getInbox(filter: InboxFilter): Promise<InboxView> {
  return call('get_inbox', { filter });
}

/** The filters' counts and the unread total (the navigation badge). */
export function getInboxCounts(): Promise<InboxCounts> {
  return call('get_inbox_counts', {});
}

/** A thread with its texts, client, next appointment and quick replies; marks it read. */
export function openThread(id: number): Promise<ThreadView> {
  return call('open_thread', { id });
}

/** Sends a staff answer; a refusal (opted out, too long, provider failure) fails on field "body". */
export function replyInThread(id: number, body: string): Promise<ThreadView> {
  return call('reply_in_thread', { id, body });
}

export function resolveThread(id: number, resolved: boolean): Promise<ThreadView> {
  return call('resolve_thread', { id, resolved });
}

/** Gives the thread to a staff member; an empty name clears it. */
export function assignThread(id: number, assignee: string): Promise<ThreadView> {
  return call('assign_thread', { id, assignee });
}

/** `record` writes the opt-out (the customer's text is the evidence); false dismisses the flag. */
export function reviewPossibleOptOut(id: number, record: boolean, recordedBy: string): Promise<ThreadView> {
  return call('review_possible_opt_out', { id, record, recordedBy });
}

/** Makes a client of an unknown number and ties the thread to them; fails on "name" or "phone". */
export function createClientFromThread(id: number, name: string): Promise<ThreadView> {
  return call('create_client_from_thread', { id, name });
}

/** Texts matching the words, newest first; each snippet has the match between « and ». */
export function searchInbox(query: string): Promise<Array<InboxSearchHit>> {
  return call('search_inbox', { query });
}

/** The ready-made status updates ("Running late" needs minutes). */
export function listUpdateTemplates(): Promise<Array<UpdateTemplate>> {
  return call('list_update_templates', {});
}

/** A starting wording for a day-wide notice, with {placeholders}. */
export function getNoticeSuggestion(): Promise<string> {
  return call('get_notice_suggestion', {});
}

/** The update exactly as the client would read it, and why it can't go now (`blocked`), if it can't. */
export function previewUpdate(appointmentId: number, input: UpdateInput): Promise<UpdatePreview> {
  return call('preview_update', { appointmentId, input });
}

/** Sends a status update now; a refusal (opted out, quiet hours, not sent) fails on field "text". */
export function sendUpdate(appointmentId: number, input: UpdateInput): Promise<OutboxMessage> {
  return call('send_update', { appointmentId, input });
}

/** Who a notice reaches, who it doesn't and why, before anything is sent. */
export function previewNotice(input: NoticeInput): Promise<NoticePreview> {
  return call('preview_notice', { input });
}

/** Queues the notice for every reachable, consenting client; texts go out as 'messages' changes. */
export function sendNotice(input: NoticeInput): Promise<NoticeProgress> {
  return call('send_notice', { input });
}

export function getNoticeProgress(noticeId: number): Promise<NoticeProgress> {
  return call('get_notice_progress', { noticeId });
}

/** The desk's figures for business-local days `from` to `to` (inclusive, "YYYY-MM-DD"). */
export function getInsights(from: string, to: string): Promise<InsightsReport> {
  return call('get_insights', { from, to });
}

/** The same figures as a CSV in Downloads (never over an existing file). */
export function exportInsights(from: string, to: string): Promise<ExportedFile> {
  return call('export_insights', { from, to });
}
