fn main() {
    // Each command gets its own permission (allow-<name>), so the capability file can list
    // exactly the ones the window uses.
    let manifest = tauri_build::AppManifest::new().commands(&[
        "get_settings",
        "get_setup_defaults",
        "complete_setup",
        "update_settings",
        "get_doctor",
    ]);
    if let Err(err) = tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
    {
        println!("cargo::error={err:#}");
    }
}
