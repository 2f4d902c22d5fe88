//! Replies from customers through the Sandbox carrier: keywords, open questions, opt-outs,
//! holding replies, and polls that never lose or repeat a reply.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use tidings_engine::domain::{
    AppointmentInput, AppointmentStatus, ClientInput, ConsentAction, ConsentChannel, ConsentInput,
    ConsentState, Purpose, SetupInput, SuppressReason, WriteSource,
};
use tidings_engine::{Engine, EngineConfig, FixedClock, MessageStatus, Preset};

fn utc(m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, m, d, h, 0, 0).unwrap()
}

fn run<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

struct Desk {
    _dir: tempfile::TempDir,
    engine: Engine,
    clock: Arc<FixedClock>,
    client: i64,
    phone: String,
}

fn desk() -> Desk {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(utc(3, 1, 12)));
    let engine = Engine::open(EngineConfig {
        db_path: dir.path().join("t.sqlite3"),
        clock: clock.clone(),
        ..EngineConfig::new(Default::default())
    })
    .unwrap();
    engine
        .complete_setup(
            &SetupInput {
                business_name: "Quay".into(),
                timezone: "Europe/London".into(),
                phone_region: "GB".into(),
                business_phone: Some("020 7123 4567".into()),
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    engine
        .apply_preset(Preset::Light, WriteSource::Ui, "desk")
        .unwrap();
    let c = engine
        .create_client(
            &ClientInput {
                name: "Ann Lee".into(),
                phone: "07400 123001".into(),
                ..ClientInput::default()
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    engine
        .record_consent(
            &ConsentInput {
                client_id: c.id,
                purpose: Purpose::Service,
                action: ConsentAction::Granted,
                channel: ConsentChannel::PaperForm,
                recorded_by: "Sam".into(),
                occurred_at: None,
                evidence: None,
            },
            WriteSource::Ui,
        )
        .unwrap();
    Desk {
        _dir: dir,
        engine,
        clock,
        client: c.id,
        phone: c.phone,
    }
}

impl Desk {
    fn book(&self, start: DateTime<Utc>) -> i64 {
        self.engine
            .create_appointment(
                &AppointmentInput {
                    client_id: self.client,
                    starts_at: start,
                    ends_at: start + Duration::minutes(30),
                    service_id: None,
                    staff_id: None,
                    location: None,
                    notes: None,
                },
                WriteSource::Ui,
                "desk",
            )
            .unwrap()
            .id
    }

    fn says(&self, text: &str) -> Vec<tidings_engine::TickItem> {
        self.engine
            .sandbox()
            .unwrap()
            .customer_sends(&self.phone, text)
            .unwrap();
        run(self.engine.poll_inbound()).unwrap()
    }

    /// Texts the carrier delivered to the client, oldest first.
    fn delivered(&self) -> Vec<String> {
        run(tidings_sms::Provider::messages_to(
            self.engine.sandbox().unwrap(),
            &self.phone,
            utc(1, 1, 0),
        ))
        .unwrap()
        .into_iter()
        .map(|r| r.body)
        .collect()
    }
}

#[test]
fn yes_confirms_the_appointment_that_was_asked_about() {
    let d = desk();
    let first = d.book(utc(3, 3, 10));
    let second = d.book(utc(3, 10, 10));
    d.clock.set(utc(3, 2, 10));
    assert_eq!(run(d.engine.tick()).unwrap().sent.len(), 1);

    let received = d.says("Yes!");
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].appointment_id, Some(first));
    assert_eq!(
        d.engine.appointment(first).unwrap().status,
        AppointmentStatus::Confirmed
    );
    assert_eq!(
        d.engine.appointment(second).unwrap().status,
        AppointmentStatus::Booked,
        "not asked yet"
    );
    assert!(d
        .delivered()
        .last()
        .unwrap()
        .starts_with("Thanks Ann, you're confirmed"));

    // Polling again repeats nothing.
    assert!(run(d.engine.poll_inbound()).unwrap().is_empty());
    assert_eq!(d.delivered().len(), 2);

    // Handled in full: the YES arrives read, and nothing waits for staff.
    let counts = d.engine.inbox_counts().unwrap();
    assert_eq!((counts.unread, counts.needs_reply), (0, 0), "{counts:?}");

    // A NO a day later contradicts the confirmation: reopened for staff as a reschedule
    // request (and answered as one), not left Confirmed behind a holding reply.
    d.clock.set(utc(3, 2, 18));
    d.says("No");
    assert_eq!(
        d.engine.appointment(first).unwrap().status,
        AppointmentStatus::RescheduleRequested
    );
    assert!(
        d.delivered().last().unwrap().contains("new time"),
        "{:?}",
        d.delivered()
    );
    let counts = d.engine.inbox_counts().unwrap();
    assert_eq!((counts.unread, counts.reschedule), (1, 1), "{counts:?}");

    // A YES in the very second the reminder went still counts as its answer.
    let insights = d.engine.insights("2027-03-02", "2027-03-02").unwrap();
    assert_eq!(
        (insights.response.count, insights.response.out_of),
        (1, 1),
        "{:?}",
        insights.response
    );
}

#[test]
fn a_spanish_speaking_client_is_reminded_answered_and_opted_out_in_spanish() {
    let d = desk();
    // Her language, set on her page.
    let ann = d.engine.client_detail(d.client).unwrap().client;
    d.engine
        .update_client(
            d.client,
            &ClientInput {
                name: ann.name.clone(),
                phone: ann.phone.clone(),
                language: Some("es".into()),
                ..ClientInput::default()
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    // Wednesday 3 March 2027, 10:00 in London.
    let appt = d.book(utc(3, 3, 10));
    d.clock.set(utc(3, 2, 10));
    assert_eq!(run(d.engine.tick()).unwrap().sent.len(), 1);
    let reminder = d.delivered().last().unwrap().clone();
    assert_eq!(
        reminder,
        "Quay: su cita es el miércoles 3 de marzo a las 10:00. Responda SÍ para confirmar o NO para cambiarla. Responda ALTO para no recibir más mensajes."
    );
    let sent = d.engine.outbox(Some(appt)).unwrap();
    assert_eq!(
        sent[0].segments, 3,
        "accents make it UCS-2: {:?}",
        sent[0].encoding
    );

    // "sí" confirms; the answer is in Spanish.
    d.says("¡Sí!");
    assert_eq!(
        d.engine.appointment(appt).unwrap().status,
        AppointmentStatus::Confirmed
    );
    assert!(
        d.delivered()
            .last()
            .unwrap()
            .starts_with("Gracias, Ann: su cita del miércoles a las 10:00 queda confirmada."),
        "{:?}",
        d.delivered()
    );

    // A NO the next day asks to change it, answered in Spanish.
    d.clock.set(utc(3, 2, 18));
    d.says("no");
    assert_eq!(
        d.engine.appointment(appt).unwrap().status,
        AppointmentStatus::RescheduleRequested
    );
    assert!(
        d.delivered()
            .last()
            .unwrap()
            .contains("Le escribiremos en breve"),
        "{:?}",
        d.delivered()
    );

    // AYUDA gets the help text in Spanish, with the business phone.
    d.says("ayuda");
    assert!(d
        .delivered()
        .last()
        .unwrap()
        .contains("Para ayuda, llame al 020 7123 4567."));

    // "No más" opts her out, at once, answered in Spanish.
    d.says("No más");
    let client = d.engine.client_detail(d.client).unwrap().client;
    assert_eq!(client.consent.service, ConsentState::Revoked);
    assert!(
        d.delivered()
            .last()
            .unwrap()
            .contains("no le enviaremos más mensajes"),
        "{:?}",
        d.delivered()
    );
    // COMENZAR brings her back.
    d.says("Comenzar");
    assert_eq!(
        d.engine
            .client_detail(d.client)
            .unwrap()
            .client
            .consent
            .service,
        ConsentState::Granted
    );
    assert!(d
        .delivered()
        .last()
        .unwrap()
        .contains("volverá a recibir mensajes"));
}

#[test]
fn a_template_without_spanish_goes_in_english_and_the_preview_shows_each_language() {
    let d = desk();
    let confirm = d
        .engine
        .templates()
        .unwrap()
        .into_iter()
        .find(|t| t.key == "reminder_confirm")
        .unwrap();
    assert!(
        confirm.translations.contains_key("es"),
        "shipped in Spanish"
    );
    // The desk removes the Spanish text: Spanish clients get the English one.
    let saved = d
        .engine
        .save_template_texts(
            confirm.id,
            &confirm.body,
            Some(&[("es".to_owned(), "  ".to_owned())].into_iter().collect()),
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    assert!(saved.translations.is_empty());
    let ann = d.engine.client_detail(d.client).unwrap().client;
    d.engine
        .update_client(
            d.client,
            &ClientInput {
                name: ann.name,
                phone: ann.phone,
                language: Some("Español".into()),
                ..ClientInput::default()
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    d.book(utc(3, 3, 10));
    d.clock.set(utc(3, 2, 10));
    run(d.engine.tick()).unwrap();
    assert!(
        d.delivered()
            .last()
            .unwrap()
            .contains("Reply YES to confirm"),
        "{:?}",
        d.delivered()
    );

    // The preview renders a Spanish text with Spanish dates, and counts it.
    let preview = d
        .engine
        .preview_template(
            "{weekday} {date} a las {time}. Responda ALTO para darse de baja.",
            Some("es"),
        )
        .unwrap();
    assert_eq!(
        preview.text,
        "miércoles 3 de marzo a las 10:00. Responda ALTO para darse de baja."
    );
    assert!(
        preview.warnings.is_empty(),
        "ALTO is a way to stop: {:?}",
        preview.warnings
    );
    assert_eq!(preview.segments.segments, 1);
    // A language Tidings doesn't have, and a Spanish text with a misspelt variable, are refused.
    assert!(d.engine.preview_template("Bonjour", Some("fr")).is_err());
    let err = d
        .engine
        .save_template_texts(
            confirm.id,
            &confirm.body,
            Some(
                &[("es".to_owned(), "Hola {nombre}".to_owned())]
                    .into_iter()
                    .collect(),
            ),
            WriteSource::Ui,
            "desk",
        )
        .unwrap_err();
    assert!(err.to_string().contains("Spanish"), "{err}");
}

#[test]
fn a_spanish_keyword_is_answered_in_spanish_and_spanish_free_text_asking_to_stop_is_flagged() {
    let d = desk();
    // Ann has no language of her own (the business's: English), and writes ALTO.
    d.says("ALTO");
    assert_eq!(
        d.engine
            .client_detail(d.client)
            .unwrap()
            .client
            .consent
            .service,
        ConsentState::Revoked
    );
    assert_eq!(
        d.delivered().last().unwrap(),
        "Quay: no le enviaremos más mensajes. Responda COMENZAR para volver a recibirlos."
    );
    d.says("START");
    assert!(d
        .delivered()
        .last()
        .unwrap()
        .contains("you'll get appointment texts again"));

    // "Ya no me manden mensajes" is for staff to review, with no automatic answer.
    let before = d.delivered().len();
    d.says("Ya no me manden mensajes por favor");
    assert_eq!(
        d.delivered().len(),
        before,
        "no holding reply to a possible opt-out"
    );
    let counts = d.engine.inbox_counts().unwrap();
    assert_eq!(counts.possible_opt_out, 1, "{counts:?}");
}

#[test]
fn no_asks_to_reschedule_and_an_answer_without_a_question_goes_to_staff() {
    let d = desk();
    let appt = d.book(utc(3, 3, 10));
    // Nothing asked yet: "NO" is free text, answered once with the holding reply.
    d.says("no");
    assert_eq!(
        d.engine.appointment(appt).unwrap().status,
        AppointmentStatus::Booked
    );
    assert!(d.delivered()[0].starts_with("Thanks for your message"));
    d.says("hello?");
    assert_eq!(d.delivered().len(), 1, "one holding reply a day");

    d.clock.set(utc(3, 2, 10));
    run(d.engine.tick()).unwrap();
    d.says("R");
    assert_eq!(
        d.engine.appointment(appt).unwrap().status,
        AppointmentStatus::RescheduleRequested
    );
    assert!(d.delivered().last().unwrap().contains("new time"));
}

#[test]
fn stop_revokes_everything_at_once_with_the_reply_as_evidence() {
    let d = desk();
    let appt = d.book(utc(3, 3, 10));
    assert_eq!(
        d.engine.outbox(Some(appt)).unwrap()[0].status,
        MessageStatus::Planned
    );

    d.says("Stop.");
    let detail = d.engine.client_detail(d.client).unwrap();
    assert_eq!(detail.client.consent.service, ConsentState::Revoked);
    assert_eq!(detail.client.consent.marketing, ConsentState::Revoked);
    let event = detail.ledger.last().unwrap();
    assert_eq!(event.channel, ConsentChannel::SmsKeyword);
    assert_eq!(event.evidence.as_deref(), Some("Replied \"Stop.\""));
    assert!(event.message_id.is_some());
    let outbox = d.engine.outbox(Some(appt)).unwrap();
    assert_eq!(outbox[0].status, MessageStatus::Cancelled);
    assert_eq!(outbox[0].reason, Some(SuppressReason::OptedOut));
    assert_eq!(d.delivered().len(), 1, "one confirmation");
    assert!(d.delivered()[0].contains("won't get any more texts"));

    // Later bookings are planned but suppressed at send time, with the reason.
    let later = d.book(utc(3, 6, 10));
    d.clock.set(utc(3, 5, 10));
    let report = run(d.engine.tick()).unwrap();
    assert_eq!(report.suppressed[0].reason, Some(SuppressReason::OptedOut));
    assert_eq!(report.suppressed[0].appointment_id, Some(later));
    d.says("hello");
    assert_eq!(
        d.delivered().len(),
        1,
        "nothing more to an opted-out client"
    );

    // START (or YES while opted out) grants service consent again, and only that.
    d.says("yes");
    let detail = d.engine.client_detail(d.client).unwrap();
    assert_eq!(detail.client.consent.service, ConsentState::Granted);
    assert_eq!(detail.client.consent.marketing, ConsentState::Revoked);
}

/// A STOP whose effects cannot all be written (here the consent ledger refuses the row, as a
/// locked or full disk would) leaves nothing behind: not the text, not its thread, not a
/// cancellation. The next poll routes it again and then all of it lands, once.
#[test]
fn a_stop_is_recorded_with_all_its_effects_or_not_at_all() {
    let d = desk();
    let appt = d.book(utc(3, 3, 10));
    let db = rusqlite::Connection::open(d._dir.path().join("t.sqlite3")).unwrap();
    db.execute_batch(
        "CREATE TRIGGER refuse_consent BEFORE INSERT ON consent_events
         BEGIN SELECT RAISE(ABORT, 'disk refused the write'); END;",
    )
    .unwrap();
    d.engine
        .sandbox()
        .unwrap()
        .customer_sends(&d.phone, "STOP")
        .unwrap();
    assert!(run(d.engine.poll_inbound()).is_err());
    let inbound: i64 = db
        .query_row(
            "SELECT count(*) FROM messages WHERE direction = 'inbound'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(inbound, 0, "the text is not on record without its effects");
    assert!(d
        .engine
        .inbox(tidings_engine::InboxFilter::All)
        .unwrap()
        .threads
        .is_empty());
    assert_eq!(
        d.engine.outbox(Some(appt)).unwrap()[0].status,
        MessageStatus::Planned
    );
    assert!(d.delivered().is_empty());

    db.execute_batch("DROP TRIGGER refuse_consent").unwrap();
    assert_eq!(run(d.engine.poll_inbound()).unwrap().len(), 1);
    let detail = d.engine.client_detail(d.client).unwrap();
    assert_eq!(detail.client.consent.service, ConsentState::Revoked);
    assert_eq!(
        d.engine.outbox(Some(appt)).unwrap()[0].status,
        MessageStatus::Cancelled
    );
    // Handled in full, the STOP arrives read; the thread shows the newest text, its answer.
    let thread = thread_of(&d, tidings_engine::InboxFilter::All);
    assert_eq!(thread.unread, 0);
    assert!(
        thread.last_preview.contains("won't get any more texts"),
        "{}",
        thread.last_preview
    );
    assert_eq!(d.delivered().len(), 1, "one confirmation");
    // Polling again changes nothing.
    assert!(run(d.engine.poll_inbound()).unwrap().is_empty());
    assert_eq!(d.delivered().len(), 1);
}

/// The answer a text queues is on disk with it: if the process stops before sending it, the
/// next pass sends it, once.
#[test]
fn an_answer_queued_by_a_reply_goes_on_the_next_pass_if_the_process_stopped_first() {
    let d = desk();
    let path = d._dir.path().join("t.sqlite3");
    d.engine
        .sandbox()
        .unwrap()
        .customer_sends(&d.phone, "HELP")
        .unwrap();
    // Sending is paused when the text arrives, so its answer stays queued; the process then
    // stops, as a crash right after the commit would leave it.
    let dir = d._dir.path().to_owned();
    let Desk { engine, clock, .. } = d;
    engine.pause_sending_by_user(WriteSource::Ui).unwrap();
    run(engine.poll_inbound()).unwrap();
    drop(engine);
    let db = rusqlite::Connection::open(&path).unwrap();
    let queued: i64 = db
        .query_row(
            "SELECT count(*) FROM messages WHERE reason = 'help_reply' AND status = 'planned'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(queued, 1);
    let engine = Engine::open(EngineConfig {
        db_path: path.clone(),
        clock: clock.clone(),
        ..EngineConfig::new(Default::default())
    })
    .unwrap();
    engine.resume_sending(WriteSource::Ui).unwrap();
    run(engine.tick()).unwrap();
    run(engine.tick()).unwrap();
    let sent: Vec<String> = db
        .prepare("SELECT status FROM messages WHERE reason = 'help_reply'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(sent.len(), 1);
    assert_ne!(sent[0], "planned");
    drop(dir);
}

#[test]
fn help_answers_and_free_text_opt_outs_are_flagged() {
    let d = desk();
    d.says("HELP");
    assert!(d.delivered()[0].contains("Reply STOP to opt out"));
    let before = d.delivered().len();
    d.says("please stop texting me");
    let flagged = d.engine.outbox(None).unwrap().len();
    assert!(flagged >= 1);
    assert_eq!(
        d.delivered().len(),
        before,
        "a possible opt-out gets no automatic answer: {:?}",
        d.delivered()
    );
    assert_eq!(
        d.engine
            .client_detail(d.client)
            .unwrap()
            .client
            .consent
            .service,
        ConsentState::Granted,
        "flagged for staff, not revoked"
    );
}

#[test]
fn an_unknown_number_is_kept_and_not_answered() {
    let d = desk();
    d.engine
        .sandbox()
        .unwrap()
        .customer_sends("+447400999999", "STOP")
        .unwrap();
    let received = run(d.engine.poll_inbound()).unwrap();
    assert_eq!(received.len(), 1);
    assert!(run(tidings_sms::Provider::messages_to(
        d.engine.sandbox().unwrap(),
        "+447400999999",
        utc(1, 1, 0)
    ))
    .unwrap()
    .is_empty());
}

fn thread_of(d: &Desk, filter: tidings_engine::InboxFilter) -> tidings_engine::ThreadSummary {
    let inbox = d.engine.inbox(filter).unwrap();
    assert_eq!(inbox.threads.len(), 1, "{inbox:#?}");
    inbox.threads.into_iter().next().unwrap()
}

#[test]
fn a_question_opens_an_unread_thread_that_staff_answer_through_the_provider() {
    use tidings_engine::{Author, InboxFilter};
    let d = desk();
    let mut changes = d.engine.subscribe();
    d.says("Is there parking near you?");

    let thread = thread_of(&d, InboxFilter::NeedsReply);
    assert_eq!(thread.unread, 1);
    assert_eq!(thread.client_name.as_deref(), Some("Ann Lee"));
    assert_eq!(thread.last_preview, "Is there parking near you?");
    assert_eq!(d.engine.inbox_counts().unwrap().unread, 1);
    // The window (and a desktop notification) hear of it.
    let mut told = false;
    while let Ok(batch) = changes.try_recv() {
        told |= batch.changes.iter().any(|c| {
            matches!(c, tidings_engine::domain::Change::Reply { thread_id, from, .. }
                if *thread_id == thread.id && from == "Ann Lee")
        });
    }
    assert!(told);

    // Opening reads it.
    let view = d.engine.open_thread(thread.id, WriteSource::Ui).unwrap();
    assert_eq!(view.thread.unread, 0);
    assert!(view.texts.iter().any(|t| t.author == Author::Customer));
    assert!(!view.quick_replies.is_empty());

    // Staff answer; it goes through the carrier and settles the thread.
    let view = run(d.engine.reply_in_thread(
        thread.id,
        "Yes, free parking behind the shop.",
        WriteSource::Ui,
        "Sam",
    ))
    .unwrap();
    let last = view.texts.last().unwrap();
    assert_eq!(last.author, Author::Staff);
    assert_eq!(last.status, MessageStatus::Delivered);
    assert!(d
        .delivered()
        .contains(&"Yes, free parking behind the shop.".to_owned()));
    assert!(d
        .engine
        .inbox(InboxFilter::NeedsReply)
        .unwrap()
        .threads
        .is_empty());

    // Resolve and reopen.
    let view = d
        .engine
        .resolve_thread(thread.id, true, WriteSource::Ui)
        .unwrap();
    assert!(view.thread.resolved);
    assert_eq!(thread_of(&d, InboxFilter::Resolved).id, thread.id);
    let view = d
        .engine
        .assign_thread(thread.id, "  Jo  ", WriteSource::Ui)
        .unwrap();
    assert_eq!(view.thread.assignee.as_deref(), Some("Jo"));
    // A new text reopens it.
    d.says("Thanks!");
    assert_eq!(thread_of(&d, InboxFilter::Open).id, thread.id);
}

#[test]
fn staff_cannot_text_someone_who_opted_out_or_send_an_essay() {
    use tidings_engine::InboxFilter;
    let d = desk();
    d.says("What time do you open?");
    let thread = thread_of(&d, InboxFilter::NeedsReply);
    let long = "word ".repeat(120);
    let err = run(d
        .engine
        .reply_in_thread(thread.id, &long, WriteSource::Ui, "Sam"))
    .unwrap_err()
    .payload();
    assert_eq!(err.field.as_deref(), Some("body"));
    assert!(err.message.contains("keep it to 3"), "{}", err.message);
    let empty = run(d
        .engine
        .reply_in_thread(thread.id, "  ", WriteSource::Ui, "Sam"));
    assert!(empty.is_err());

    d.says("STOP");
    let view = d.engine.open_thread(thread.id, WriteSource::Ui).unwrap();
    assert!(view.cannot_reply.unwrap().contains("opted out"));
    let before = d.delivered().len();
    let err =
        run(d
            .engine
            .reply_in_thread(thread.id, "Sorry to see you go", WriteSource::Ui, "Sam"))
        .unwrap_err()
        .payload();
    assert!(err.message.contains("opted out"), "{}", err.message);
    assert_eq!(d.delivered().len(), before, "nothing sent");
}

#[test]
fn no_puts_the_thread_in_reschedule_requests_and_possible_opt_outs_are_reviewed() {
    use tidings_engine::InboxFilter;
    let d = desk();
    let appointment = d.book(utc(3, 3, 10));
    d.clock.set(utc(3, 2, 10));
    run(d.engine.tick()).unwrap();
    d.says("NO");
    let thread = thread_of(&d, InboxFilter::Reschedule);
    assert!(thread.reschedule_requested);
    assert_eq!(
        d.engine.appointment(appointment).unwrap().status,
        AppointmentStatus::RescheduleRequested
    );

    d.says("please don't text me again");
    let thread = thread_of(&d, InboxFilter::PossibleOptOut);
    let view = d.engine.open_thread(thread.id, WriteSource::Ui).unwrap();
    assert!(view
        .texts
        .iter()
        .any(|t| t.flagged.as_deref() == Some("Possible opt-out — review")));
    let err = d
        .engine
        .review_possible_opt_out(thread.id, true, " ", WriteSource::Ui)
        .unwrap_err()
        .payload();
    assert_eq!(err.field.as_deref(), Some("recorded_by"));
    let view = d
        .engine
        .review_possible_opt_out(thread.id, true, "Sam", WriteSource::Ui)
        .unwrap();
    assert!(!view.thread.possible_opt_out);
    let client = view.client.unwrap();
    assert_eq!(client.consent.service, ConsentState::Revoked);
    let ledger = d.engine.client_detail(d.client).unwrap().ledger;
    let last = ledger.last().unwrap();
    assert!(last
        .evidence
        .as_deref()
        .unwrap()
        .contains("please don't text me again"));
}

#[test]
fn an_unknown_number_gets_a_thread_and_a_client_can_be_made_from_it() {
    use tidings_engine::InboxFilter;
    let d = desk();
    d.engine
        .sandbox()
        .unwrap()
        .customer_sends("+447400999888", "Hi, do you have space Friday?")
        .unwrap();
    run(d.engine.poll_inbound()).unwrap();
    let thread = thread_of(&d, InboxFilter::Unknown);
    assert_eq!(thread.client_name, None);
    assert_eq!(thread.phone, "+447400999888");
    let view = d
        .engine
        .create_client_from_thread(thread.id, "Bea Moss", WriteSource::Ui, "Sam")
        .unwrap();
    assert_eq!(view.client.unwrap().name, "Bea Moss");
    assert!(d
        .engine
        .inbox(InboxFilter::Unknown)
        .unwrap()
        .threads
        .is_empty());
    assert_eq!(
        thread_of(&d, InboxFilter::NeedsReply)
            .client_name
            .as_deref(),
        Some("Bea Moss")
    );
}

#[test]
fn full_text_search_finds_texts_and_never_reads_input_as_query_syntax() {
    let d = desk();
    d.says("Is there parking near the café?");
    d.says("Running ten minutes late");
    let hits = d.engine.search_inbox("park").unwrap();
    assert_eq!(hits.len(), 1, "{hits:#?}");
    assert!(hits[0].snippet.contains("«parking»"), "{}", hits[0].snippet);
    assert!(hits[0].thread_id.is_some());
    assert_eq!(
        d.engine.search_inbox("CAFE").unwrap().len(),
        1,
        "accents folded"
    );
    for odd in ["\"", "late OR", "NEAR(", "*", "late\" OR \"x", ""] {
        assert!(d.engine.search_inbox(odd).is_ok(), "{odd:?}");
    }
    assert!(d
        .engine
        .search_inbox("nothing-like-this")
        .unwrap()
        .is_empty());
}

#[test]
fn paused_sending_still_reads_a_stop_and_its_confirmation_goes_on_resume() {
    let d = desk();
    let appointment = d.book(utc(3, 3, 10));
    d.engine.pause_sending_by_user(WriteSource::Ui).unwrap();
    d.clock.set(utc(3, 2, 10));
    // The reminder is due, but nothing goes out while paused; the customer's STOP is read
    // by the same pass all the same.
    d.engine
        .sandbox()
        .unwrap()
        .customer_sends(&d.phone, "STOP")
        .unwrap();
    let report = run(d.engine.tick()).unwrap();
    assert_eq!(report.received.len(), 1, "replies are read while paused");
    assert!(report.sent.is_empty());
    assert!(
        d.delivered().is_empty(),
        "nothing sent while paused: {:?}",
        d.delivered()
    );
    let detail = d.engine.client_detail(d.client).unwrap();
    assert_eq!(detail.client.consent.service, ConsentState::Revoked);
    let reminder = &d.engine.outbox(Some(appointment)).unwrap()[0];
    assert_eq!(reminder.status, MessageStatus::Cancelled, "{reminder:#?}");

    // Resumed: the confirmation goes (the one text allowed after STOP), the reminder not.
    d.engine.resume_sending(WriteSource::Ui).unwrap();
    run(d.engine.tick()).unwrap();
    let delivered = d.delivered();
    assert_eq!(delivered.len(), 1, "{delivered:?}");
    assert!(
        delivered[0].contains("you won't get any more texts"),
        "{delivered:?}"
    );
}

#[test]
fn a_new_number_takes_the_plan_with_it_and_nothing_goes_to_the_old_one() {
    let d = desk();
    let appointment = d.book(utc(3, 3, 10));
    let before = d.engine.outbox(Some(appointment)).unwrap();
    assert_eq!(before.len(), 1);
    assert_eq!(before[0].to, d.phone);
    let input = ClientInput {
        name: "Ann Lee".into(),
        phone: "07400 123999".into(),
        ..ClientInput::default()
    };
    let changed = d
        .engine
        .update_client(d.client, &input, WriteSource::Ui, "desk")
        .unwrap();
    let after = d.engine.outbox(Some(appointment)).unwrap();
    let old = after.iter().find(|m| m.id == before[0].id).unwrap();
    assert_eq!(old.status, MessageStatus::Cancelled, "{after:#?}");
    assert_eq!(old.reason, Some(SuppressReason::NumberChanged));
    let live: Vec<_> = after
        .iter()
        .filter(|m| m.status == MessageStatus::Planned)
        .collect();
    assert_eq!(live.len(), 1, "{after:#?}");
    assert_eq!(live[0].to, changed.phone);

    d.clock.set(utc(3, 2, 10));
    run(d.engine.tick()).unwrap();
    let to_new = run(tidings_sms::Provider::messages_to(
        d.engine.sandbox().unwrap(),
        &changed.phone,
        utc(1, 1, 0),
    ))
    .unwrap();
    assert_eq!(to_new.len(), 1);
    assert!(d.delivered().is_empty(), "nothing to the old number");
}

#[test]
fn a_possible_opt_out_holds_automated_texts_until_staff_review_it() {
    use tidings_engine::InboxFilter;
    let d = desk();
    let appointment = d.book(utc(3, 3, 10));
    d.says("please stop texting me");
    assert!(d.delivered().is_empty(), "no automatic answer");

    // The reminder falls due: it waits, saying why.
    d.clock.set(utc(3, 2, 10));
    run(d.engine.tick()).unwrap();
    assert!(d.delivered().is_empty(), "{:?}", d.delivered());
    let held = &d.engine.outbox(Some(appointment)).unwrap()[0];
    assert_eq!(held.status, MessageStatus::Planned, "{held:#?}");
    assert!(
        held.reason_text
            .as_deref()
            .unwrap_or("")
            .contains("may ask us to stop"),
        "{held:#?}"
    );

    // Staff read it as not an opt-out: the reminder goes at the next look.
    let thread = thread_of(&d, InboxFilter::PossibleOptOut);
    d.engine
        .review_possible_opt_out(thread.id, false, "Sam", WriteSource::Ui)
        .unwrap();
    d.clock.set(utc(3, 2, 10) + Duration::minutes(5));
    run(d.engine.tick()).unwrap();
    assert_eq!(d.delivered().len(), 1, "{:?}", d.delivered());
    let sent = &d.engine.outbox(Some(appointment)).unwrap()[0];
    assert_eq!(sent.status, MessageStatus::Delivered, "{sent:#?}");
    assert_eq!(
        sent.reason_text, None,
        "the hold's reason is gone once it went"
    );
}

#[test]
fn a_stop_from_a_number_no_client_has_yet_still_stands_when_a_client_gets_it() {
    let d = desk();
    let sandbox = d.engine.sandbox().unwrap();
    sandbox.customer_sends("+447400999999", "Stop").unwrap();
    sandbox.customer_sends("+447400888888", "STOP").unwrap();
    sandbox.customer_sends("+447400888888", "START").unwrap();
    run(d.engine.poll_inbound()).unwrap();
    assert!(run(tidings_sms::Provider::messages_to(
        sandbox,
        "+447400999999",
        utc(1, 1, 0)
    ))
    .unwrap()
    .is_empty());

    // Added as a client later (the desk types the number, a booking brings it): opted out,
    // with the text as evidence, and nothing planned for them goes.
    let bo = d
        .engine
        .create_client(
            &ClientInput {
                name: "Bo Ray".into(),
                phone: "07400 999999".into(),
                ..ClientInput::default()
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    assert_eq!(bo.consent.service, ConsentState::Revoked);
    assert_eq!(bo.consent.marketing, ConsentState::Revoked);
    let ledger = d.engine.client_detail(bo.id).unwrap().ledger;
    assert!(
        ledger.iter().all(|e| e.action == ConsentAction::Revoked
            && e.channel == ConsentChannel::SmsKeyword
            && e.message_id.is_some()
            && e.evidence
                .as_deref()
                .unwrap_or("")
                .contains("before the client was added")),
        "{ledger:#?}"
    );

    // A number that said START after its STOP is not opted out; editing a client onto the
    // opted-out number is.
    let cy = d
        .engine
        .create_client(
            &ClientInput {
                name: "Cy Dee".into(),
                phone: "07400 888888".into(),
                ..ClientInput::default()
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    assert_eq!(cy.consent.service, ConsentState::None, "{cy:#?}");
    let ann = d
        .engine
        .update_client(
            d.client,
            &ClientInput {
                name: "Ann Lee".into(),
                phone: "07400 777777".into(),
                ..ClientInput::default()
            },
            WriteSource::Ui,
            "desk",
        )
        .unwrap();
    assert_eq!(
        ann.consent.service,
        ConsentState::Granted,
        "a number with no STOP"
    );
}

#[test]
fn archiving_a_client_takes_back_what_waited_for_them_and_unarchiving_plans_it_again() {
    let d = desk();
    let appointment = d.book(utc(3, 3, 10));
    d.engine
        .set_client_archived(d.client, true, WriteSource::Ui, "desk")
        .unwrap();
    let after = d.engine.outbox(Some(appointment)).unwrap();
    assert!(
        after.iter().all(|m| m.status != MessageStatus::Planned),
        "{after:#?}"
    );
    assert_eq!(after[0].reason, Some(SuppressReason::ClientArchived));
    d.clock.set(utc(3, 2, 10));
    run(d.engine.tick()).unwrap();
    assert!(d.delivered().is_empty());

    d.engine
        .set_client_archived(d.client, false, WriteSource::Ui, "desk")
        .unwrap();
    run(d.engine.tick()).unwrap();
    assert_eq!(d.delivered().len(), 1, "planned again and sent");
}
