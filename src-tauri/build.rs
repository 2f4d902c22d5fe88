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
    ]);
    if let Err(err) = tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
    {
        println!("cargo::error={err:#}");
    }
}
