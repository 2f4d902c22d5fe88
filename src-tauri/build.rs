fn main() {
    // Each command gets its own permission (allow-<name>), so the capability file can list
    // exactly the ones the window uses.
    let manifest = tauri_build::AppManifest::new().commands(&[
        "get_settings",
        "get_setup_defaults",
        "complete_setup",
        "update_settings",
        "get_doctor",
        "list_clients",
        "get_client",
        "create_client",
        "update_client",
        "set_client_archived",
        "record_consent",
        "get_disclosures",
        "update_disclosure",
        "stage_import_file",
        "preview_import",
        "run_import",
        "export_consent",
        "list_appointments",
        "get_appointment",
        "create_appointment",
        "update_appointment",
        "set_appointment_status",
        "get_today",
        "list_services",
        "save_service",
        "list_staff",
        "save_staff",
        "preview_appointment_import",
        "run_appointment_import",
        "count_segments",
        "fix_punctuation",
        "list_templates",
        "template_history",
        "save_template",
        "restore_template_version",
        "preview_template",
        "list_presets",
        "apply_preset",
        "list_reminder_rules",
        "save_reminder_rule",
        "list_outbox",
        "skip_message",
        "send_message_now",
    ]);
    if let Err(err) = tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
    {
        println!("cargo::error={err:#}");
    }
}
