// Generated from the Rust types by tidings-engine's `typescript_bindings`. Do not edit.
// Regenerate: UPDATE_BINDINGS=1 cargo test -p tidings-engine --test bindings

export type Settings = { business_name: string, 
/**
 * IANA zone of the business, e.g. "Europe/London".
 */
timezone: string, 
/**
 * ISO 3166 two-letter region used to read national phone numbers, e.g. "GB".
 */
phone_region: string, quiet_hours: QuietHours, caps: Caps, provider: ProviderKind, setup_completed_at: string | null, 
/**
 * No automated texts on Sundays (recipient's local day).
 */
no_sundays: boolean, 
/**
 * The number customers can call, for {business_phone} in texts.
 */
business_phone: string, 
/**
 * Where automatic backups go; empty means the app's data folder.
 */
backup_folder: string, 
/**
 * The Twilio account, when one has been connected (kept when switching back to the
 * Sandbox, so switching again needs no retyping).
 */
twilio: TwilioSettings | null, 
/**
 * The desk's Android phone as gateway (SMSGate), when one has been connected (kept when
 * switching away, like Twilio's).
 */
smsgate?: SmsGateSettings, 
/**
 * With Twilio, whose opt-out handling already answers STOP, START and HELP, Tidings
 * records the change but sends no second confirmation unless this is on.
 */
send_keyword_replies_with_twilio: boolean, 
/**
 * Hours after a visit is marked completed to ask how it went; `None` is off (the
 * default). The "Ask how it went" preset sets 2.
 */
follow_up_hours: number | null, 
/**
 * Texts per second per sending number (1 is the US long-code rate).
 */
send_rate_per_second: number, 
/**
 * How long a text whose send had no clear answer is given to show in the provider's own
 * records before "not there" counts and it is sent again; `None` is the provider's own
 * figure (Twilio's list can lag by seconds). Only a local stand-in needs less.
 */
provider_records_lag_seconds?: number, 
/**
 * The language of texts to clients who have none of their own (a code, "es"); none is
 * English.
 */
default_language?: string, };

export type SetupInput = { business_name: string, timezone: string, phone_region: string, 
/**
 * The number customers call: HELP answers, reschedule replies and follow-ups give it.
 */
business_phone?: string, };

export type SettingsUpdate = { business_name?: string, 
/**
 * A language code or name; empty is English.
 */
default_language?: string, timezone?: string, phone_region?: string, quiet_hours?: QuietHours, caps?: Caps, no_sundays?: boolean, business_phone?: string, backup_folder?: string, send_rate_per_second?: number, send_keyword_replies_with_twilio?: boolean, 
/**
 * `Some(0)` turns follow-ups off; `Some(n)` asks n hours after a visit (1 to 72).
 */
follow_up_hours?: number, 
/**
 * `Some(n)` waits n seconds (0 to 600) for the provider's records; `Some(u32::MAX)` goes
 * back to the provider's own figure.
 */
provider_records_lag_seconds?: number, };

export type QuietHours = { 
/**
 * "HH:MM", 24-hour, recipient's local time.
 */
start: string, 
/**
 * "HH:MM", 24-hour, recipient's local time.
 */
end: string, };

export type Caps = { max_texts_per_day: number, max_texts_per_week: number, };

export type ProviderKind = "sandbox" | "twilio" | "smsgate";

export type RegionInfo = { code: string, calling_code: number, 
/**
 * A mobile number as people in the region write it ("(201) 555-0123"), for hints.
 */
example_national: string | null, 
/**
 * The same number written for any country ("+1 201-555-0123").
 */
example_international: string | null, };

export type ZoneInfo = { 
/**
 * The IANA name, as saved ("America/Chicago").
 */
id: string, 
/**
 * The two-letter code of the country the zone serves ("US"); empty for UTC.
 */
country: string, 
/**
 * Which part of the country, where it has several zones ("Central (most areas)").
 */
comment: string | null, };

export type WriteSource = "ui" | "background" | "import" | "cli";

export type Change = { "kind": "settings" } | { "kind": "sandbox_message", id: number, } | { "kind": "client", id: number, } | { "kind": "consent", client_id: number, } | { "kind": "clients" } | { "kind": "disclosures" } | { "kind": "appointment", id: number, } | { "kind": "appointments" } | { "kind": "catalog" } | { "kind": "templates" } | { "kind": "rules" } | { "kind": "messages" } | { "kind": "backups" } | { "kind": "feeds" } | { "kind": "restored" } | { "kind": "thread", id: number, } | { "kind": "reply", thread_id: number, 
/**
 * The client's name, or the number when it is unknown.
 */
from: string, 
/**
 * The start of the text, as plain text.
 */
preview: string, };

export type ChangeBatch = { source: WriteSource, changes: Array<Change>, };

export type Client = { id: number, name: string, 
/**
 * E.164.
 */
phone: string, 
/**
 * The client's own IANA zone when it differs from the business's.
 */
timezone: string | null, notes: string, archived: boolean, created_at: string, updated_at: string, consent: ConsentSummary, 
/**
 * Set when the carrier said this number cannot receive texts (landline, not in service):
 * nothing more is sent to it until the number is changed.
 */
unreachable?: string, 
/**
 * The language texts to this client are written in ("es"); none: the business's default.
 */
language?: string, };

export type ClientInput = { name: string, 
/**
 * As typed: national or international, any punctuation.
 */
phone: string, timezone?: string, notes?: string, 
/**
 * A language code or name ("es", "Spanish", "Español"); empty or absent: the business's
 * default.
 */
language?: string, };

export type ConsentSummary = { service: ConsentState, marketing: ConsentState, };

export type ConsentState = "granted" | "revoked" | "none";

export type Purpose = "service" | "marketing";

export type ConsentAction = "granted" | "revoked";

export type ConsentChannel = "front_desk_verbal" | "paper_form" | "web_form" | "sms_keyword" | "provider_report" | "import";

export type ConsentEvent = { id: number, client_id: number, purpose: Purpose, action: ConsentAction, channel: ConsentChannel, 
/**
 * The exact words the customer was shown or read.
 */
disclosure_text: string, disclosure_version: number, 
/**
 * Who recorded it: a staff name, or "engine" for keywords and provider reports.
 */
recorded_by: string, 
/**
 * When the customer gave or withdrew consent.
 */
occurred_at: string, 
/**
 * When it was entered into Tidings.
 */
recorded_at: string, 
/**
 * Anything that backs it up: form number, web form id, import source.
 */
evidence: string | null, 
/**
 * The text that caused it, for keywords.
 */
message_id: number | null, };

export type ConsentInput = { client_id: number, purpose: Purpose, action: ConsentAction, channel: ConsentChannel, recorded_by: string, 
/**
 * When it happened, if not now (a paper form signed last week).
 */
occurred_at?: string, evidence?: string, };

export type ColumnMapping = { name: number | null, first_name: number | null, last_name: number | null, phone: number | null, notes: number | null, timezone: number | null, 
/**
 * The client's language ("es", "Spanish", "Español"); a file without one gives none.
 */
language?: number | null, };

export type RowOutcome = { "kind": "new" } | { "kind": "update", client_id: number, } | { "kind": "unchanged", client_id: number, } | { "kind": "skipped", reason: string, };

export type RowPlan = { row: number, name: string, 
/**
 * E.164 when valid, else as written.
 */
phone: string, outcome: RowOutcome, };

export type SkippedRow = { row: number, reason: string, };

export type ImportReport = { imported: number, updated: number, unchanged: number, skipped: Array<SkippedRow>, 
/**
 * Consent events written (0 unless the file's consent was stated).
 */
consent_recorded: number, 
/**
 * Rows whose stated consent was not recorded because the client had opted out (an import
 * never overrides an opt-out) or had already granted.
 */
consent_not_recorded: Array<SkippedRow>, dry_run: boolean, };

export type Appointment = { id: number, client_id: number, client_name: string, client_phone: string, starts_at: string, ends_at: string, 
/**
 * The IANA zone it was booked in.
 */
timezone: string, service_id: number | null, service: string | null, staff_id: number | null, staff: string | null, location: string, notes: string, status: AppointmentStatus, source: AppointmentSource, external_id: string | null, created_at: string, updated_at: string, 
/**
 * Another live appointment of the same staff member overlaps it (allowed, but flagged).
 */
overlaps: boolean, 
/**
 * The customer's answer to "how did it go?": "1"…"5", "yes" or "no".
 */
feedback?: string, 
/**
 * The calendar feed that keeps it up to date, by name ("Google Calendar"); changes are
 * made there.
 */
feed?: string, 
/**
 * Why its status is what it is when the desk did not set it ("removed from Google
 * Calendar").
 */
status_note?: string, 
/**
 * Why one of its reminders won't be sent, while one won't ("no consent for appointment
 * texts"): the calendar flags the appointment. Filled in when appointments are listed for a
 * range.
 */
reminder_warning?: string, };

export type AppointmentInput = { client_id: number, starts_at: string, ends_at: string, service_id?: number, staff_id?: number, location?: string, notes?: string, };

export type AppointmentStatus = "booked" | "confirmed" | "reschedule_requested" | "cancelled" | "completed" | "no_show";

export type AppointmentSource = "desk" | "csv_import" | "ics_import" | "cli";

export type Service = { id: number, name: string, minutes: number, archived: boolean, };

export type Staff = { id: number, name: string, archived: boolean, };

export type TemplateKind = "reminder" | "confirmation_reply" | "reschedule_reply" | "help_reply" | "opt_out_confirmation" | "opt_in_confirmation" | "holding_reply" | "follow_up";

export type Encoding = "GSM-7" | "UCS-2";

export type SegmentInfo = { encoding: Encoding, segments: number, 
/**
 * Septets (GSM-7) or UTF-16 units (UCS-2).
 */
units: number, 
/**
 * The characters that force UCS-2, each once, in order of appearance.
 */
non_gsm: Array<string>, 
/**
 * How many units are left in the last segment before another one starts.
 */
remaining: number, };

export type SuppressReason = "too_late" | "quiet_hours_missed" | "no_consent" | "opted_out" | "cap" | "appointment_cancelled" | "appointment_moved" | "already_confirmed" | "missed_while_closed" | "invalid_number" | "staff_cancelled" | "rule_disabled" | "number_changed" | "client_archived" | "superseded" | "no_business_phone";

export type FeedKind = "ics_url" | "csv_folder";

export type FeedChangeCounts = { created: number, updated: number, unchanged: number, 
/**
 * Marked cancelled in the feed.
 */
cancelled: number, 
/**
 * Gone from the feed, so cancelled here.
 */
removed: number, 
/**
 * Rows or events that could not be imported (each with its reason in the read's report).
 */
skipped: number, 
/**
 * Events with no phone number to find the client by.
 */
no_client: number, };

export type Feed = { id: number, kind: FeedKind, 
/**
 * "Google Calendar", or the folder's name.
 */
name: string, 
/**
 * The address with its secret part hidden, or the folder.
 */
shown: string, created_at: string, last_read_at: string | null, last_ok_at: string | null, 
/**
 * What the last read that worked changed.
 */
last_result: FeedChangeCounts | null, 
/**
 * Why the last read failed; none when it worked.
 */
problem: string | null, next_read_at: string, };

export type FeedRead = { feed_id: number, name: string, 
/**
 * What changed, when the read worked.
 */
changes: FeedChangeCounts | null, 
/**
 * Why nothing changed, when it did not.
 */
problem: string | null, 
/**
 * The importer's report (rows skipped and why, events with no client).
 */
report: AppointmentImportReport | null, 
/**
 * The bookings it cancelled because they were gone from the feed.
 */
removed: Array<MissingAppointment>, };

export type FeedInput = { 
/**
 * An `https://` or `webcal://` calendar address, or a folder on this computer.
 */
address: string, 
/**
 * What to call it; named after the calendar service or folder when empty.
 */
name?: string, };

export type ProviderStatus = "scheduled" | "queued" | "sent" | "delivered" | "undelivered" | "failed" | "canceled";

export type KeyringState = "available" | "locked" | "unavailable";

export type TwilioSettings = { 
/**
 * `AC` followed by 32 hex digits.
 */
account_sid: string, 
/**
 * `SK…` when signing in with an API key (recommended); `None` uses the Auth Token.
 */
api_key_sid: string | null, 
/**
 * The Twilio number texts come from (E.164), or…
 */
from_number: string | null, 
/**
 * …a Messaging Service `MG…`, which also lets Twilio hold reminders until their time.
 */
messaging_service_sid: string | null, 
/**
 * Twilio's API unless set (a proxy, or a local server in tests).
 */
base_url: string | null, };

export type SmsGateSettings = { 
/**
 * `http://192.168.1.20:8080`, as the app shows it.
 */
base_url: string, username: string, 
/**
 * Seconds between two texts from the phone: carriers tolerate tens to a few hundred
 * texts an hour from one SIM and may block it beyond that.
 */
seconds_between_texts: number, };

export type SmsGateInput = { base_url: string, username: string, 
/**
 * Empty keeps the password already in the keyring for this address and username.
 */
password: string, seconds_between_texts?: number, };

export type GatewayStatus = { 
/**
 * The SMSGate app's version, when it says.
 */
version: string | null, 
/**
 * What its health check says is not right ("Battery level in percent: 12 percent").
 */
warnings: Array<string>, };

export type ProviderHealth = { kind: ProviderKind, 
/**
 * Since when it has not answered, while it has not.
 */
silent_since: string | null, };

export type TwilioInput = { account_sid: string, api_key_sid?: string, from_number?: string, messaging_service_sid?: string, base_url?: string, 
/**
 * Empty keeps the secret already in the keyring for this account.
 */
secret: string, };

export type ProviderView = { kind: ProviderKind, twilio: TwilioSettings | null, 
/**
 * Whether the keyring holds a secret for the Twilio account above.
 */
secret_stored: boolean, 
/**
 * The gateway phone (SMSGate), when one has been connected.
 */
smsgate: SmsGateSettings | null, 
/**
 * Whether the keyring holds the gateway phone's password.
 */
smsgate_password_stored: boolean, keyring: KeyringState, 
/**
 * What is wrong with the keyring, in words, when it is not available.
 */
keyring_message: string | null, 
/**
 * Why sending is paused (credentials rejected, secret unreadable), if it is.
 */
paused: string | null, send_rate_per_second: number, 
/**
 * Reminders can be handed to Twilio ahead of time (a Messaging Service is set).
 */
hands_off: boolean, 
/**
 * Since when the provider has not answered (a gateway phone off or off the Wi-Fi, no
 * internet), while it has not.
 */
silent_since: string | null, };

export type InboxFilter = "needs_reply" | "reschedule" | "possible_opt_out" | "unknown" | "open" | "all" | "resolved";

export type ThreadSummary = { id: number, 
/**
 * E.164.
 */
phone: string, client_id: number | null, 
/**
 * `None` for a number no client has.
 */
client_name: string | null, resolved: boolean, unread: number, assignee: string | null, needs_reply: boolean, reschedule_requested: boolean, possible_opt_out: boolean, last_message_at: string, 
/**
 * Plain text, never markup.
 */
last_preview: string, };

export type InboxCounts = { needs_reply: number, reschedule: number, possible_opt_out: number, unknown: number, open: number, 
/**
 * Unread texts across open threads. (The badge in navigation and the tray count
 * `needs_reply`: reading a text does not answer it.)
 */
unread: number, };

export type InboxView = { threads: Array<ThreadSummary>, counts: InboxCounts, };

export type Author = "customer" | "staff" | "automatic" | "reminder";

export type ThreadText = { id: number, author: Author, 
/**
 * Plain text, never markup.
 */
body: string, status: MessageStatus, 
/**
 * Why a text did not arrive, in words.
 */
reason_text: string | null, at: string, 
/**
 * "Possible opt-out" and the like, for the customer's texts.
 */
flagged: string | null, };

export type QuickReply = { name: string, body: string, };

export type ThreadView = { thread: ThreadSummary, client: Client | null, next_appointment: Appointment | null, texts: Array<ThreadText>, quick_replies: Array<QuickReply>, 
/**
 * Why the composer cannot send, when it cannot (opted out, unreachable number).
 */
cannot_reply: string | null, };

export type InboxSearchHit = { message_id: number, thread_id: number | null, phone: string, client_name: string | null, 
/**
 * The text around the match, the match between « and » (plain text).
 */
snippet: string, at: string, from_customer: boolean, };

export type UpdateInput = { template_key?: string, text?: string, minutes?: number, };

export type UpdatePreview = { text: string, segments: SegmentInfo, blocked: string | null, };

export type UpdateTemplate = { key: string, name: string, body: string, };

export type NoticeInput = { 
/**
 * The business's local day, "YYYY-MM-DD".
 */
date: string, staff_id?: number, 
/**
 * "HH:MM" local; both empty means the whole day.
 */
from_time?: string, to_time?: string, text: string, 
/**
 * Send even inside quiet hours (recorded in the audit log).
 */
urgent: boolean, };

export type NoticeExclusion = "no_consent" | "opted_out" | "invalid_number";

export type NoticeRecipient = { appointment_id: number, client_id: number, client_name: string, phone: string, starts_at: string, 
/**
 * The text they would get (rendered for their appointment).
 */
text: string, excluded: NoticeExclusion | null, excluded_text: string | null, };

export type NoticePreview = { recipients: Array<NoticeRecipient>, sending: number, skipped: number, 
/**
 * The longest rendered text's cost.
 */
segments: SegmentInfo, 
/**
 * Set when it is quiet hours now and the notice is not urgent: texts wait until then.
 */
waits_until: string | null, };

export type NoticeProgress = { notice_id: number, total: number, sent: number, waiting: number, failed: number, };

export type Rate = { count: number, out_of: number, 
/**
 * `count / out_of`, or `None` when there is nothing to divide by.
 */
value: number | null, };

export type Signal = { 
/**
 * "opt_outs_high", "opt_outs_rising", "carrier_filtering", "failures_rising".
 */
kind: string, message: string, what_to_check: string, };

export type ReasonCount = { reason: string, count: number, };

export type ResponseTimes = { answered: number, median_seconds: number | null, p90_seconds: number | null, };

export type FollowUpResults = { 
/**
 * Follow-up texts sent in the period.
 */
sent: number, 
/**
 * Of those, answered with a rating or YES/NO.
 */
answered: Rate, 
/**
 * Of the answers, poor ones (1, 2 or NO).
 */
poor: Rate, 
/**
 * The mean of the 1-5 ratings, and how many there were.
 */
average_rating: number | null, ratings: number, };

export type RuleResult = { rule: string, sent: number, response: Rate, 
/**
 * Of its reminders that asked YES/NO.
 */
confirmation: Rate, reschedule_requests: Rate, };

export type Funnel = { reminded: number, replied: number, confirmed: number, attended: number, };

export type WeekPoint = { 
/**
 * Monday of the week (business time zone).
 */
week_of: string, sent: number, confirmation: Rate, opt_outs: Rate, };

export type VersionResult = { template: string, version: number, sent: number, response: Rate, 
/**
 * Of its reminders that asked YES/NO.
 */
confirmation: Rate, };

export type Definition = { metric: string, meaning: string, };

export type InsightsReport = { 
/**
 * Business-local days, inclusive.
 */
from: string, to: string, sent: number, delivered: Rate, delivery_failures: Rate, top_failure_reasons: Array<ReasonCount>, reminders_sent: number, response: Rate, confirmation: Rate, reschedule_requests: Rate, no_show_reminded: Rate, no_show_not_reminded: Rate, opt_outs: Rate, 
/**
 * Opt-outs per 100 texts sent.
 */
opt_outs_per_100: number | null, first_response: ResponseTimes, deflection: Rate, follow_ups: FollowUpResults, funnel: Funnel, weekly: Array<WeekPoint>, versions: Array<VersionResult>, 
/**
 * Reminder results per rule.
 */
rules: Array<RuleResult>, signals: Array<Signal>, definitions: Array<Definition>, };

export type ConnectionCheck = { account_name: string, account_status: string, };

export type ErrorCode = "invalid_input" | "setup_required" | "data_folder" | "database_corrupt" | "database_too_new" | "database_busy" | "storage" | "provider" | "not_found" | "conflict" | "import_file" | "internal" | "keyring" | "credentials_rejected" | "provider_offline" | "sender_busy";

export type ErrorPayload = { code: ErrorCode, message: string, 
/**
 * The input field the error is about, when there is one.
 */
field: string | null, 
/**
 * The record the error points at, e.g. the client who already has a number.
 */
related_id: number | null, };

export type SetupDefaults = { timezone: string | null, phone_region: string | null, 
/**
 * The zones to choose from: places, not aliases (see `tidings_domain::zones`).
 */
zones: Array<ZoneInfo>, regions: Array<RegionInfo>, };

export type DoctorReport = { db_path: string, schema_version: number, schema_version_supported: number, provider: ProviderKind, 
/**
 * True while texts go to the built-in simulated carrier and nothing leaves the machine.
 */
sandbox: boolean, setup_complete: boolean, business_name: string, 
/**
 * The OS keyring's state as far as sending needs it. The Sandbox needs no secrets.
 */
keyring: string, version: string, 
/**
 * The commit this app was built from (see [`crate::about`]).
 */
build: string, 
/**
 * "release" or "debug".
 */
profile: string, };

export type ClientDetail = { client: Client, ledger: Array<ConsentEvent>, };

export type DisclosureView = { purpose: Purpose, version: number, template: string, 
/**
 * As the customer reads it, with the business name filled in.
 */
text: string, created_at: string, };

export type Disclosures = { 
/**
 * The version in force, per purpose.
 */
current: Array<DisclosureView>, 
/**
 * Every version, newest first.
 */
history: Array<DisclosureView>, };

export type ImportConsent = { purpose: Purpose, 
/**
 * Where the consent came from, e.g. "Paper intake forms kept at the desk".
 */
source: string, 
/**
 * When it was obtained, YYYY-MM-DD.
 */
obtained_on: string, };

export type ImportOptions = { mapping?: ColumnMapping, consent?: ImportConsent, };

export type ImportPreview = { headers: Array<string>, delimiter: string, encoding: string, mapping: ColumnMapping, total_rows: number, 
/**
 * The first rows and every skipped row, in file order.
 */
rows: Array<RowPlan>, report: ImportReport, };

export type ConsentExport = { business_name: string, exported_at: string, client: Client, ledger: Array<ConsentEvent>, };

export type ImportProgress = { done: number, total: number, };

export type StagedFile = { token: number, bytes: number, };

export type ExportFormat = "csv" | "json";

export type ExportedFile = { path: string, };

export type AppointmentMapping = { date: number | null, 
/**
 * A time column, or a date-and-time column when `date` is absent.
 */
start_time: number | null, end_time: number | null, duration_minutes: number | null, client_name: number | null, 
/**
 * A last-name column joined to the client name (exports that split the name).
 */
last_name: number | null, phone: number | null, service: number | null, staff: number | null, status: number | null, external_id: number | null, notes: number | null, };

export type AppointmentImportOptions = { mapping?: AppointmentMapping, 
/**
 * How an ICS event's title names the appointment ("Service - Name" unless chosen).
 */
title_rule?: TitleRule, };

export type TitleRule = "service_then_name" | "name_then_service" | "name_only";

export type AppointmentOutcome = { "kind": "new" } | { "kind": "update", appointment_id: number, } | { "kind": "unchanged", appointment_id: number, } | { "kind": "cancel", appointment_id: number, } | { "kind": "skipped", reason: string, } | { "kind": "no_client" };

export type AppointmentRowPlan = { 
/**
 * CSV: the spreadsheet row. ICS: the event's position in the file (1 = first).
 */
row: number, 
/**
 * Client name (CSV) or the event's summary (ICS).
 */
label: string, 
/**
 * The client's name as read (an ICS event's may come from a guest, its description or
 * its title).
 */
client_name: string | null, service: string | null, 
/**
 * Where an ICS event's client, phone and service were read ("name: title · phone:
 * attendee"); empty for CSV, whose columns say it.
 */
read_from: string, phone: string | null, starts_at: string | null, ends_at: string | null, external_id: string | null, outcome: AppointmentOutcome, };

export type MissingAppointment = { appointment_id: number, external_id: string, starts_at: string, client_name: string, };

export type AppointmentImportReport = { created: number, updated: number, unchanged: number, cancelled: number, clients_created: number, skipped: Array<SkippedRow>, 
/**
 * Events with no phone number, listed for the desk to match.
 */
no_client: Array<SkippedRow>, missing: Array<MissingAppointment>, 
/**
 * Appointments that overlap another of the same staff member (allowed, flagged).
 */
overlapping: Array<SkippedRow>, dry_run: boolean, };

export type AppointmentImportPreview = { 
/**
 * "csv" or "ics".
 */
kind: string, headers: Array<string>, mapping: AppointmentMapping | null, total_rows: number, rows: Array<AppointmentRowPlan>, report: AppointmentImportReport, };

export type TodayView = { 
/**
 * YYYY-MM-DD in the business's zone.
 */
date: string, timezone: string, appointments: Array<Appointment>, };

export type Template = { id: number, 
/**
 * Stable name, e.g. "reminder_confirm".
 */
key: string, kind: TemplateKind, name: string, purpose: Purpose, version: number, version_id: number, 
/**
 * The English text.
 */
body: string, 
/**
 * The text in each other language it has ("es"), of the same version; a language
 * without one gets the English.
 */
translations: { [key in string]: string }, updated_at: string, };

export type TemplateVersion = { id: number, template_id: number, version: number, body: string, translations: { [key in string]: string }, created_at: string, created_by: string, };

export type TemplatePreview = { 
/**
 * Rendered against the next upcoming appointment (or a sample when there is none).
 */
text: string, 
/**
 * Whose appointment the preview uses, or "Sample" when none is booked.
 */
sample_of: string, segments: SegmentInfo, warnings: Array<string>, };

export type ReminderRule = { id: number, name: string, offset_minutes: number, min_lead_minutes: number, template_id: number, template_name: string, 
/**
 * Asks the client to reply YES or NO.
 */
asks_confirmation: boolean, enabled: boolean, };

export type ReminderRuleInput = { id?: number, name: string, offset_minutes: number, min_lead_minutes: number, template_id: number, asks_confirmation: boolean, enabled: boolean, };

export type Preset = "standard" | "clinic" | "light";

export type PresetInfo = { preset: Preset, name: string, description: string, };

export type MessageStatus = "planned" | "sending" | "retry_wait" | "scheduled_at_provider" | "sent" | "delivered" | "undelivered" | "failed" | "suppressed" | "cancelled" | "received";

export type OutboxMessage = { id: number, appointment_id: number | null, appointment_starts_at: string | null, rule_id: number | null, rule_name: string | null, client_id: number | null, client_name: string, to: string, status: MessageStatus, reason: SuppressReason | null, 
/**
 * The reason in words.
 */
reason_text: string | null, send_at: string | null, sent_at: string | null, 
/**
 * Empty until sent: the text is rendered at send time from the current data.
 */
body: string, segments: number, encoding: Encoding, template_version: number | null, 
/**
 * For a text still waiting to go: what will happen to it as things stand (the send gate
 * run for its own time). `None` once it has gone or stopped.
 */
outlook: Outlook | null, };

export type Outlook = { "kind": "goes" } | { "kind": "moved", at: string, } | { "kind": "held" } | { "kind": "wont_go", reason: SuppressReason, text: string, };

export type TickReport = { sent: Array<TickItem>, suppressed: Array<TickItem>, received: Array<TickItem>, };

export type TickItem = { message_id: number, appointment_id: number | null, rule_id: number | null, to: string, reason?: SuppressReason, };

export type BackupInfo = { path: string, bytes: number, created_at: string, 
/**
 * "daily", "manual" or "cli".
 */
reason: string, verified: boolean, 
/**
 * Why it failed, when it did.
 */
error: string | null, };

export type BackupStatus = { folder: string, last_good: BackupInfo | null, 
/**
 * The newest backups that are still on disk, newest first.
 */
recent: Array<BackupInfo>, 
/**
 * No good backup for three days: Today says so.
 */
overdue: boolean, };

export type RestorePreview = { path: string, 
/**
 * When the backup was made, if Tidings recorded it (else the file's time).
 */
created_at: string | null, schema_version: number, clients: number, appointments: number, messages: number, consent_events: number, };

export type RestoreReport = { restored: RestorePreview, 
/**
 * The backup of the state just before the restore.
 */
safety_backup: BackupInfo, 
/**
 * Texts the restored data still had waiting that the provider had in fact sent.
 */
reconciled: number, 
/**
 * What happened after the backup and was kept: texts that had gone to the provider,
 * replies received, consent recorded.
 */
kept: KeptAfterBackup, };

export type KeptAfterBackup = { texts: number, replies: number, consent_events: number, };

export type ExportSummary = { path: string, clients: number, appointments: number, texts: number, consent_events: number, };

export type SandboxText = { 
/**
 * True for texts the customer sent.
 */
from_customer: boolean, body: string, 
/**
 * "delivered", "scheduled", "canceled" or "received".
 */
status: string, at: string, };

/** Regions whose people write 12-hour times ("2:30 PM"); `DateStyle::for_region`. */
export const TWELVE_HOUR_REGIONS: readonly string[] = ["AE", "AU", "BD", "BH", "CA", "CO", "EG", "IN", "JO", "KW", "MX", "MY", "NZ", "OM", "PH", "PK", "PR", "QA", "SA", "US"];

/** Regions that write the month before the day ("March 14"); `DateStyle::for_region`. */
export const MONTH_FIRST_REGIONS: readonly string[] = ["CA", "PH", "PR", "US"];

/** The languages customers can be texted in, English first; `tidings_domain::language`. */
export const LANGUAGES: readonly { code: string, name: string, native_name: string }[] = [{ code: "en", name: "English", native_name: "English" }, { code: "es", name: "Spanish", native_name: "Español" }];
