// Generated from the Rust types by tidings-engine's `typescript_bindings`. Do not edit.
// Regenerate: UPDATE_BINDINGS=1 cargo test -p tidings-engine --test bindings

export type Settings = { business_name: string, 
/**
 * IANA zone of the business, e.g. "Europe/London".
 */
timezone: string, 
/**
 * ISO 3166 two-letter region used to read national phone numbers, e.g. "GB".
 */
phone_region: string, quiet_hours: QuietHours, caps: Caps, provider: ProviderKind, setup_completed_at: string | null, };

export type SetupInput = { business_name: string, timezone: string, phone_region: string, };

export type SettingsUpdate = { business_name?: string, timezone?: string, phone_region?: string, quiet_hours?: QuietHours, caps?: Caps, };

export type QuietHours = { 
/**
 * "HH:MM", 24-hour, recipient's local time.
 */
start: string, 
/**
 * "HH:MM", 24-hour, recipient's local time.
 */
end: string, };

export type Caps = { max_texts_per_day: number, max_texts_per_week: number, };

export type ProviderKind = "sandbox" | "twilio";

export type RegionInfo = { code: string, calling_code: number, };

export type WriteSource = "ui" | "background" | "import" | "cli";

export type Change = { "kind": "settings" } | { "kind": "sandbox_message", id: number, };

export type ChangeBatch = { source: WriteSource, changes: Array<Change>, };

export type ProviderStatus = "scheduled" | "queued" | "sent" | "delivered" | "undelivered" | "failed" | "canceled";

export type ErrorCode = "invalid_input" | "setup_required" | "data_folder" | "database_corrupt" | "database_too_new" | "database_busy" | "storage" | "provider" | "internal";

export type ErrorPayload = { code: ErrorCode, message: string, 
/**
 * The input field the error is about, when there is one.
 */
field: string | null, };

export type SetupDefaults = { timezone: string | null, phone_region: string | null, timezones: Array<string>, regions: Array<RegionInfo>, };

export type DoctorReport = { db_path: string, schema_version: number, schema_version_supported: number, provider: ProviderKind, 
/**
 * True while texts go to the built-in simulated carrier and nothing leaves the machine.
 */
sandbox: boolean, setup_complete: boolean, business_name: string, 
/**
 * The OS keyring's state as far as sending needs it. The Sandbox needs no secrets.
 */
keyring: string, version: string, };
