//! The reply inbox in the real app (Sandbox): a customer's question opens an unread thread,
//! staff answer it and the customer's phone shows the answer; markup in a customer's text is
//! shown as text everywhere and never runs; STOP revokes consent and the next reminder is
//! cancelled with its reason.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use tidings_e2e::thirtyfour::prelude::*;
use tidings_e2e::{desks, App};

async fn customer_says(app: &App, text: &str) {
    if !app.has("sandbox-phone").await {
        app.open_sandbox_phone("+447400123001").await;
    }
    app.type_into("sandbox-phone-input", text).await;
    app.click("sandbox-phone-send").await;
    app.wait_text("sandbox-phone-thread", text).await;
}

async fn close_phone(app: &App) {
    if app.has("sandbox-phone").await {
        app.click("sandbox-phone-close").await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_question_is_answered_from_the_inbox_and_stop_cancels_the_next_reminder() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tidings.sqlite3");
    // One appointment in 6 hours (its reminder goes at once), one in 3 days (its reminder waits).
    desks::with_a_due_reminder(&db, &[6, 72]);
    let app = App::start(&db).await;
    app.click("nav-reminders").await;
    app.wait_text("outbox", "Delivered").await;

    // A question from the customer: an unread thread and the badge.
    customer_says(&app, "Is there parking near you?").await;
    close_phone(&app).await;
    app.wait_text("nav-inbox-badge", "1").await;
    app.click("nav-inbox").await;
    let row = "[data-testid^='inbox-thread-']:not([data-testid^='inbox-thread-unread-'])";
    // (WebKitWebDriver's visible-text reading skips parts of a button's content; the
    // screenshot below shows the row whole.)
    let text = app.first_content(row).await;
    app.screenshot("inbox-list").await;
    assert!(
        text.contains("Ann Lee") && text.contains("parking"),
        "{text}"
    );
    app.click_first("inbox-thread-").await;
    app.wait_text("thread", "Is there parking near you?").await;
    // Read, but not answered: the badge still counts it (the Inbox's "Needs reply").
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    app.wait_text("nav-inbox-badge", "1").await;

    // Staff answer; the customer's phone shows it.
    app.type_into("thread-composer", "Yes, free parking behind the shop.")
        .await;
    app.wait_text("thread-segments", "1").await;
    app.click("thread-send").await;
    app.wait_text("thread", "Yes, free parking behind the shop.")
        .await;
    assert_eq!(app.value("thread-composer").await, "");
    // Answered: nothing waits for a reply any more.
    for _ in 0..50 {
        if !app.has("nav-inbox-badge").await {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        !app.has("nav-inbox-badge").await,
        "an answered conversation still counts as waiting"
    );
    app.screenshot("inbox-thread").await;
    customer_says(&app, "Great, thanks").await;
    app.wait_text("sandbox-phone-thread", "Yes, free parking behind the shop.")
        .await;

    // Markup from a customer is text in the inbox too.
    let payload =
        "<img src=x onerror=\"document.title='owned'\"><script>document.title='owned'</script>";
    customer_says(&app, payload).await;
    close_phone(&app).await;
    app.wait_text("thread", "<img src=x").await;
    app.wait_content("inbox-list", "<img src=x").await;
    for scope in ["thread", "inbox-list"] {
        let found = app
            .driver
            .find_all(By::Css(format!(
                "[data-testid='{scope}'] img, [data-testid='{scope}'] script"
            )))
            .await
            .unwrap();
        assert!(found.is_empty(), "markup ran in {scope}");
    }
    assert_ne!(app.driver.title().await.unwrap(), "owned");

    // STOP: consent revoked, the composer refuses, the waiting reminder is cancelled.
    customer_says(&app, "STOP").await;
    close_phone(&app).await;
    app.wait_text("thread-cannot-reply", "opted out").await;
    app.click("nav-reminders").await;
    app.wait_text("outbox", "the client opted out").await;
    app.screenshot("inbox-after-stop").await;
    app.quit().await;
}
