//! Data safety in the real app: back up from Settings, make a mistake, restore, and find the
//! data as it was.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use tidings_e2e::App;

#[tokio::test(flavor = "multi_thread")]
async fn back_up_make_a_mistake_restore_and_see_the_client_again() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tidings.sqlite3");
    let app = App::start(&db).await;
    app.set_up("Harbour Hair", "Europe/London", "GB").await;

    app.click("nav-clients").await;
    app.click("add-client").await;
    app.type_into("client-name", "Ann Lee").await;
    app.type_into("client-phone", "07400 123001").await;
    app.click("client-save").await;
    app.wait_text("client-detail", "Ann Lee").await;

    // Back up from Settings.
    app.click("nav-settings").await;
    app.click("backup-now").await;
    let saved = app.wait_text("backup-result", ".sqlite3").await;
    assert!(saved.contains("backups"), "{saved}");
    app.wait_text("backup-last", "Last good backup").await;

    // The mistake: Ann is archived and no longer listed.
    app.click("nav-clients").await;
    app.click_first_client().await;
    app.click("archive-client").await;
    app.click("nav-clients").await;
    app.wait_text("clients-screen", "No clients").await;

    // Restore the newest backup (the one just made): the preview says what it holds first.
    app.click("nav-settings").await;
    app.wait_text("backup-list", "checked").await;
    app.click("restore-0").await;
    app.wait_text("restore-preview", "1 client").await;
    app.click("restore-confirm").await;
    app.wait_text("restore-done", "Restored").await;

    // The window reloads with the restored data: Ann is back.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    app.click("nav-clients").await;
    app.wait_text("clients-screen", "Ann Lee").await;
    app.screenshot("restored").await;
    app.quit().await;
}
