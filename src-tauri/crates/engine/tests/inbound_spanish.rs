//! Replies and reminders in Spanish through the Sandbox carrier: a client's language, Spanish
//! keywords, and templates with and without a Spanish text.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod sandbox_desk;

use tidings_engine::domain::{AppointmentStatus, ClientInput, ConsentState, WriteSource};

use sandbox_desk::{desk, run, utc};

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
