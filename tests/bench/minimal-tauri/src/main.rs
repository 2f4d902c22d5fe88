fn main() {
    if let Err(err) = tauri::Builder::default().run(tauri::generate_context!()) {
        eprintln!("minimal-tauri: {err}");
        std::process::exit(1);
    }
}
