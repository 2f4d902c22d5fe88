//! A customer who reads Spanish, in the real app (Sandbox): the desk sets her language on her
//! page, her reminder arrives in Spanish, she answers "sí" and the appointment is confirmed,
//! with the answer in Spanish too; her "ALTO" is an opt-out, answered in Spanish.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use tidings_e2e::{desks, App};

#[tokio::test(flavor = "multi_thread")]
async fn a_spanish_speaking_client_gets_her_reminder_in_spanish_and_confirms_with_si() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tidings.sqlite3");
    // Ann Lee (consent given) booked in three days: her reminder waits for its time.
    desks::with_a_due_reminder(&db, &[72]);
    let app = App::start(&db).await;

    // Her page: texts to her go in Spanish from now on.
    app.click("nav-clients").await;
    app.click_first_client().await;
    app.wait_text("client-detail-language", "The business")
        .await;
    app.click("edit-client").await;
    app.choose("client-language", "es").await;
    app.click("client-save").await;
    app.wait_text("client-detail-language", "Español").await;
    app.screenshot("client-in-spanish").await;

    // The desk sends her reminder now, from Upcoming sends: it is written in Spanish.
    app.click("nav-reminders").await;
    app.click_first("outbox-send-").await;
    app.open_sandbox_phone("+447400123001").await;
    let thread = app
        .wait_text("sandbox-phone-thread", "Responda SÍ para confirmar")
        .await;
    assert!(thread.contains("su cita es el"), "{thread}");
    assert!(thread.contains(" de "), "a Spanish date: {thread}");

    // She answers "sí": the appointment is confirmed and she is told so in Spanish.
    app.type_into("sandbox-phone-input", "sí").await;
    app.click("sandbox-phone-send").await;
    app.wait_text("sandbox-phone-thread", "queda confirmada")
        .await;
    app.screenshot("sandbox-phone-spanish").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let conn = rusqlite::Connection::open(&db).unwrap();
        let status: String = conn
            .query_row("SELECT status FROM appointments", [], |r| r.get(0))
            .unwrap();
        if status == "confirmed" {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the appointment is {status}, not confirmed"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let language: Option<String> = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT language FROM messages WHERE direction = 'outbound' AND rule_id IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        language.as_deref(),
        Some("es"),
        "the reminder records its language"
    );

    // "ALTO" opts her out, and the confirmation is in Spanish.
    app.type_into("sandbox-phone-input", "ALTO").await;
    app.click("sandbox-phone-send").await;
    app.wait_text("sandbox-phone-thread", "no le enviaremos más mensajes")
        .await;
    app.click("sandbox-phone-close").await;
    app.click("nav-clients").await;
    app.click_first_client().await;
    app.wait_text("consent-state-service", "opted out").await;
    app.quit().await;
}
