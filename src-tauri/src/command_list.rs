// Every command the window may call, declared once. Three places read this file with their own
// `tidings_commands!`:
// - `src/lib.rs` makes the tauri commands and their registration from it;
// - `build.rs` makes each command's permission and the window's capability from the names;
// - the engine's `tests/bindings.rs` writes the typed TypeScript client (`ui/src/lib/commands.ts`)
//   from the names, the argument names and types, the result type and these doc comments.
//
// How each command runs:
// - `blocking { |engine| … }`: synchronous engine work (SQLite), on the blocking pool, never on
//   the async workers; the body returns `Result<_, EngineError>` (or `ErrorPayload`).
// - `value { |engine| … }`: the same for a call that cannot fail.
// - `awaits { |engine| … }`: an engine call that waits on the network; the body is a future.
// - `shell { path }`: needs the app itself (events, autostart, the staged file); `path` is an
//   `async fn(&AppHandle, &AppState, args…) -> Reply<_>` in this crate.
// - `raw { path }`: takes the request's raw body (a file's bytes), not JSON arguments.
//
// Argument names are Rust's; the window sends them in camelCase, as tauri expects.
tidings_commands! {
    get_settings() -> Settings = blocking { |e| e.settings() };
    get_setup_defaults() -> SetupDefaults = value { |e| e.setup_defaults() };
    complete_setup(input: SetupInput) -> Settings
        = blocking { |e| e.complete_setup(&input, WriteSource::Ui, DESK) };
    /// Only the fields present change; a cap of 0 means "keep".
    update_settings(update: SettingsUpdate) -> Settings
        = blocking { |e| e.update_settings(&update, WriteSource::Ui, DESK) };
    get_doctor() -> DoctorReport = blocking { |e| e.doctor() };

    /// Where backups go, the last good one, the recent ones and whether one is overdue.
    get_backup_status() -> BackupStatus = blocking { |e| e.backup_status() };
    /// Backs up now and checks the copy; a failure's message says what to do.
    backup_now() -> BackupInfo = blocking { |e| e.backup_now("manual") };
    /// Everything the desk holds (clients, appointments, texts, consent ledger) as one zip in
    /// Downloads.
    export_all_data() -> ExportSummary = blocking { |e| e.export_to_folder(&export_folder()?) };
    /// What a backup file holds, without changing anything; a damaged or too-new file fails.
    preview_restore(path: String) -> RestorePreview
        = blocking { |e| e.preview_restore(std::path::Path::new(&path)) };
    /// Backs up the current data first, then replaces it with the backup's; emits a 'restored'
    /// change.
    restore_backup(path: String) -> RestoreReport
        = awaits { |e| e.restore(std::path::Path::new(&path), WriteSource::Ui) };
    /// Whether Tidings starts (in the tray) when this computer's user logs in.
    get_open_at_login() -> bool = shell { tray::get_open_at_login };
    /// Turns starting at login on or off; resolves to the state now in effect.
    set_open_at_login(enabled: bool) -> bool = shell { tray::set_open_at_login };

    list_clients(query: String, include_archived: bool) -> Vec<Client>
        = blocking { |e| e.list_clients(&query, include_archived) };
    /// The client and their consent ledger, oldest event first.
    get_client(id: i64) -> ClientDetail = blocking { |e| e.client_detail(id) };
    create_client(input: ClientInput) -> Client
        = blocking { |e| e.create_client(&input, WriteSource::Ui, DESK) };
    update_client(id: i64, input: ClientInput) -> Client
        = blocking { |e| e.update_client(id, &input, WriteSource::Ui, DESK) };
    set_client_archived(id: i64, archived: bool) -> Client
        = blocking { |e| e.set_client_archived(id, archived, WriteSource::Ui, DESK) };
    record_consent(input: ConsentInput) -> ConsentEvent
        = blocking { |e| e.record_consent(&input, WriteSource::Ui) };
    get_disclosures() -> Disclosures = blocking { |e| e.disclosures() };
    /// `template` may use "{business}" for the business name.
    update_disclosure(purpose: Purpose, template: String) -> Disclosures
        = blocking { |e| e.update_disclosure(purpose, &template, WriteSource::Ui, DESK) };
    /// The raw file bytes travel as the whole request body, not as JSON.
    stage_import_file() -> StagedFile = raw { imports::stage_import_file };
    /// Leave `options.mapping` out to get the guessed mapping back in the preview.
    preview_import(token: u32, options: ImportOptions) -> ImportPreview
        = shell { imports::preview_import };
    /// Imports the staged file, sending progress events as rows are written.
    run_import(token: u32, options: ImportOptions, dry_run: bool) -> ImportReport
        = shell { imports::run_import };
    /// One client's consent evidence as a file in Downloads.
    export_consent(client_id: i64, format: ExportFormat) -> ExportedFile
        = blocking { |e| e.export_consent_file(client_id, format, &export_folder()?) };

    /// Every appointment overlapping [from, to), cancelled ones included.
    list_appointments(from: DateTime<Utc>, to: DateTime<Utc>, staff_id: Option<i64>)
        -> Vec<Appointment>
        = blocking { |e| e.appointments_between(from, to, staff_id) };
    get_appointment(id: i64) -> Appointment = blocking { |e| e.appointment(id) };
    create_appointment(input: AppointmentInput) -> Appointment
        = blocking { |e| e.create_appointment(&input, WriteSource::Ui, DESK) };
    /// Used for edits, drags and resizes alike: the whole input is sent every time.
    update_appointment(id: i64, input: AppointmentInput) -> Appointment
        = blocking { |e| e.update_appointment(id, &input, WriteSource::Ui, DESK) };
    set_appointment_status(id: i64, status: AppointmentStatus) -> Appointment
        = blocking { |e| e.set_appointment_status(id, status, WriteSource::Ui, DESK) };
    /// Today's appointments in the business's zone, by start.
    get_today() -> TodayView = blocking { |e| e.today() };
    list_services() -> Vec<Service> = blocking { |e| e.services() };
    save_service(id: Option<i64>, name: String, minutes: u32) -> Service
        = blocking { |e| e.save_service(id, &name, minutes, WriteSource::Ui, DESK) };
    list_staff() -> Vec<Staff> = blocking { |e| e.staff() };
    save_staff(id: Option<i64>, name: String) -> Staff
        = blocking { |e| e.save_staff(id, &name, WriteSource::Ui, DESK) };
    /// Leave `options.mapping` out to get the guessed mapping back (CSV); ICS files have none.
    preview_appointment_import(token: u32, options: AppointmentImportOptions)
        -> AppointmentImportPreview
        = shell { imports::preview_appointment_import };
    run_appointment_import(token: u32, options: AppointmentImportOptions)
        -> AppointmentImportReport
        = shell { imports::run_appointment_import };

    /// How a text would travel: encoding, segments and the characters that force UCS-2.
    count_segments(text: String) -> SegmentInfo = value { |_e| segments(&text) };
    /// The text with smart quotes, dashes, ellipses and non-breaking spaces made plain.
    fix_punctuation(text: String) -> String = value { |_e| plain_punctuation(&text) };
    list_templates() -> Vec<Template> = blocking { |e| e.templates() };
    /// Every saved wording of a template, newest first.
    template_history(template_id: i64) -> Vec<TemplateVersion>
        = blocking { |e| e.template_history(template_id) };
    /// Saves new wording as a new version; an unknown variable fails on field "body".
    /// `translations` ({ es: "…" }) replaces the other languages' texts.
    save_template(template_id: i64, body: String, translations: Option<BTreeMap<String, String>>)
        -> Template
        = blocking { |e| e.save_template_texts(
            template_id, &body, translations.as_ref(), WriteSource::Ui, DESK) };
    /// Saves an old wording again, as a new version.
    restore_template_version(template_id: i64, version: u32) -> Template
        = blocking { |e| e.restore_template_version(template_id, version, WriteSource::Ui, DESK) };
    /// The wording rendered against the next upcoming appointment, with its segments and
    /// warnings. `language` is the language `body` is written in (the desk's when absent).
    preview_template(body: String, language: Option<String>) -> TemplatePreview
        = blocking { |e| e.preview_template(&body, language.as_deref()) };
    list_presets() -> Vec<PresetInfo> = value { |e| e.presets() };
    /// Replaces the reminder rules with the preset's and plans reminders for upcoming
    /// appointments.
    apply_preset(preset: Preset) -> Vec<ReminderRule>
        = blocking { |e| e.apply_preset(preset, WriteSource::Ui, DESK) };
    list_reminder_rules() -> Vec<ReminderRule> = blocking { |e| e.reminder_rules() };
    save_reminder_rule(input: ReminderRuleInput) -> ReminderRule
        = blocking { |e| e.save_reminder_rule(&input, WriteSource::Ui, DESK) };
    /// Planned sends first (by send time), then recent sent, suppressed and cancelled ones.
    list_outbox(appointment_id: Option<i64>) -> Vec<OutboxMessage>
        = blocking { |e| e.outbox(appointment_id) };
    /// Stops a planned text; it comes back suppressed ("staff_cancelled").
    skip_message(id: i64) -> OutboxMessage = blocking { |e| e.skip_message(id, WriteSource::Ui) };
    /// Runs the sending checks now; the text may come back suppressed, with the reason in words.
    send_message_now(id: i64) -> OutboxMessage = awaits { |e| e.send_now(id, WriteSource::Ui) };
    /// Everything the simulated carrier carried to and from `phone`, oldest first.
    sandbox_conversation(phone: String) -> Vec<SandboxText>
        = blocking { |e| e.sandbox_conversation(&phone) };
    /// Sends `text` as the customer at `phone`; resolves to how many replies were routed.
    sandbox_send(phone: String, text: String) -> u32 = shell { custom::sandbox_send };

    /// Calendar feeds with their last read and any problem.
    list_feeds() -> Vec<Feed> = blocking { |e| e.feeds() };
    /// Adds a calendar feed after reading it once; one that can't be read is refused with why.
    add_feed(input: FeedInput) -> FeedRead = shell { custom::add_feed };
    /// Reads one feed now. A read that fails is not an error: `problem` says why.
    sync_feed(id: i64) -> FeedRead = awaits { |e| e.sync_feed(id, WriteSource::Ui, DESK) };
    /// Removes a feed; the bookings it brought stay.
    remove_feed(id: i64) -> () = blocking { |e| e.remove_feed(id, WriteSource::Ui, DESK) };

    /// Which provider sends texts, the account (never its secret), the keyring and any pause.
    get_provider() -> ProviderView = blocking { |e| e.provider_view() };
    /// Signs in to Twilio with the form's details without saving or sending anything.
    test_twilio_connection(input: TwilioInput) -> ConnectionCheck
        = awaits { |e| e.test_connection(&input) };
    /// Checks the account, keeps the secret in the OS keyring and sends through Twilio from now
    /// on.
    connect_twilio(input: TwilioInput) -> ProviderView
        = awaits { |e| e.connect_twilio(&input, WriteSource::Ui, DESK) };
    /// Asks the gateway phone's health check and signs in; saves nothing.
    test_smsgate_connection(input: SmsGateInput) -> GatewayStatus
        = awaits { |e| e.test_smsgate(&input) };
    /// Checks the gateway phone, keeps its password in the OS keyring and sends through it from
    /// now on.
    connect_smsgate(input: SmsGateInput) -> ProviderView
        = awaits { |e| e.connect_smsgate(&input, WriteSource::Ui, DESK) };
    /// The provider in use and since when it has not answered, if it has not. No keyring, no
    /// network: cheap enough for Today.
    get_provider_health() -> ProviderHealth = blocking { |e| e.provider_health() };
    /// Back to the Sandbox; `forget` also deletes the provider's secret and settings.
    use_sandbox(forget: bool) -> ProviderView
        = blocking { |e| e.use_sandbox(forget, WriteSource::Ui, DESK) };
    /// A test text to `to` through the connected provider; its delivery arrives as a
    /// 'messages' change.
    send_test_text(to: String) -> OutboxMessage
        = awaits { |e| e.send_test_text(&to, WriteSource::Ui, DESK) };
    /// Lets the dispatcher go on after whatever paused sending has been fixed.
    resume_sending() -> ProviderView = blocking { |e| e.resume_sending(WriteSource::Ui) };

    /// The threads a filter shows (newest first) and every filter's count.
    get_inbox(filter: InboxFilter) -> InboxView = blocking { |e| e.inbox(filter) };
    /// The filters' counts and the unread total (the navigation badge).
    get_inbox_counts() -> InboxCounts = blocking { |e| e.inbox_counts() };
    /// A thread with its texts, client, next appointment and quick replies; marks it read.
    open_thread(id: i64) -> ThreadView = blocking { |e| e.open_thread(id, WriteSource::Ui) };
    /// Sends a staff answer; a refusal (opted out, too long, provider failure) fails on field
    /// "body".
    reply_in_thread(id: i64, body: String) -> ThreadView
        = awaits { |e| e.reply_in_thread(id, &body, WriteSource::Ui, DESK) };
    resolve_thread(id: i64, resolved: bool) -> ThreadView
        = blocking { |e| e.resolve_thread(id, resolved, WriteSource::Ui) };
    /// Gives the thread to a staff member; an empty name clears it.
    assign_thread(id: i64, assignee: String) -> ThreadView
        = blocking { |e| e.assign_thread(id, &assignee, WriteSource::Ui) };
    /// `record` writes the opt-out (the customer's text is the evidence); false dismisses the
    /// flag.
    review_possible_opt_out(id: i64, record: bool, recorded_by: String) -> ThreadView
        = blocking { |e| e.review_possible_opt_out(id, record, &recorded_by, WriteSource::Ui) };
    /// Makes a client of an unknown number and ties the thread to them; fails on "name" or
    /// "phone".
    create_client_from_thread(id: i64, name: String) -> ThreadView
        = blocking { |e| e.create_client_from_thread(id, &name, WriteSource::Ui, DESK) };
    /// Texts matching the words, newest first; each snippet has the match between « and ».
    search_inbox(query: String) -> Vec<InboxSearchHit> = blocking { |e| e.search_inbox(&query) };

    /// The ready-made status updates ("Running late" needs minutes).
    list_update_templates() -> Vec<UpdateTemplate> = value { |e| e.update_templates() };
    /// A starting wording for a day-wide notice, with {placeholders}.
    get_notice_suggestion() -> String = value { |_e| NOTICE_SUGGESTION.to_owned() };
    /// The update exactly as the client would read it, and why it can't go now (`blocked`), if
    /// it can't.
    preview_update(appointment_id: i64, input: UpdateInput) -> UpdatePreview
        = blocking { |e| e.preview_update(appointment_id, &input) };
    /// Sends a status update now; a refusal (opted out, quiet hours, not sent) fails on field
    /// "text".
    send_update(appointment_id: i64, input: UpdateInput) -> OutboxMessage
        = awaits { |e| e.send_update(appointment_id, &input, WriteSource::Ui, DESK) };
    /// Who a notice reaches, who it doesn't and why, before anything is sent.
    preview_notice(input: NoticeInput) -> NoticePreview = blocking { |e| e.preview_notice(&input) };
    /// Queues the notice for every reachable, consenting client; texts go out as 'messages'
    /// changes.
    send_notice(input: NoticeInput) -> NoticeProgress
        = blocking { |e| e.send_notice(&input, WriteSource::Ui, DESK) };
    get_notice_progress(notice_id: i64) -> NoticeProgress
        = blocking { |e| e.notice_progress(notice_id) };

    /// The desk's figures for business-local days `from` to `to` (inclusive, "YYYY-MM-DD").
    get_insights(from: String, to: String) -> InsightsReport
        = blocking { |e| e.insights(&from, &to) };
    /// The same figures as a CSV in Downloads (never over an existing file).
    export_insights(from: String, to: String) -> ExportedFile
        = blocking { |e| e.export_insights(&from, &to, &export_folder()?) };
}
