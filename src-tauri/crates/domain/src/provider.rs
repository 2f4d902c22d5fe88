//! Provider settings (never secrets) and the words for what carriers report.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::phone::parse_phone;

/// How Tidings reaches a Twilio account. The secret (API key secret or Auth Token) is not
/// here: it lives only in the OS keyring, under [`TwilioSettings::keyring_account`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TwilioSettings {
    /// `AC` followed by 32 hex digits.
    pub account_sid: String,
    /// `SK…` when signing in with an API key (recommended); `None` uses the Auth Token.
    pub api_key_sid: Option<String>,
    /// The Twilio number texts come from (E.164), or…
    pub from_number: Option<String>,
    /// …a Messaging Service `MG…`, which also lets Twilio hold reminders until their time.
    pub messaging_service_sid: Option<String>,
    /// Twilio's API unless set (a proxy, or a local server in tests).
    pub base_url: Option<String>,
}

impl TwilioSettings {
    /// The keyring entry holding this account's secret.
    pub fn keyring_account(&self) -> String {
        format!(
            "twilio:{}:{}",
            self.account_sid,
            self.api_key_sid.as_deref().unwrap_or("auth-token")
        )
    }
}

/// What the Provider form (or `tidings-cli provider set twilio`) sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TwilioInput {
    pub account_sid: String,
    #[ts(optional)]
    pub api_key_sid: Option<String>,
    #[ts(optional)]
    pub from_number: Option<String>,
    #[ts(optional)]
    pub messaging_service_sid: Option<String>,
    #[ts(optional)]
    pub base_url: Option<String>,
    /// Empty keeps the secret already in the keyring for this account.
    pub secret: String,
}

/// A field of the Provider form that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderSettingsError {
    #[error("The Account SID starts with AC followed by 32 letters and digits; copy it from the Twilio Console's home page.")]
    AccountSid,
    #[error("An API key SID starts with SK followed by 32 letters and digits; leave it empty to sign in with the Auth Token instead.")]
    ApiKeySid,
    #[error("Give either the Twilio number texts come from or a Messaging Service SID.")]
    NoSender,
    #[error("Give the Twilio number or the Messaging Service, not both: Tidings sends from exactly one.")]
    TwoSenders,
    #[error("The sending number doesn't read as a phone number: {0}")]
    FromNumber(String),
    #[error("A Messaging Service SID starts with MG followed by 32 letters and digits.")]
    MessagingService,
    #[error(
        "The API address must start with https:// (or http:// for a server on this computer)."
    )]
    BaseUrl,
    #[error("Enter the secret: the API key's secret, or the Auth Token when no API key is given.")]
    NoSecret,
}

impl ProviderSettingsError {
    pub fn field(&self) -> &'static str {
        match self {
            Self::AccountSid => "account_sid",
            Self::ApiKeySid => "api_key_sid",
            Self::NoSender | Self::TwoSenders | Self::FromNumber(_) => "from_number",
            Self::MessagingService => "messaging_service_sid",
            Self::BaseUrl => "base_url",
            Self::NoSecret => "secret",
        }
    }
}

/// Whether an address is this computer itself (localhost, 127.0.0.0/8, ::1), by its parsed
/// host, never by how its text begins.
pub fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

fn sid(text: &str, prefix: &str) -> Option<String> {
    let text = text.trim();
    let rest = text.strip_prefix(prefix)?;
    (rest.len() == 32 && rest.chars().all(|c| c.is_ascii_hexdigit())).then(|| text.to_owned())
}

fn filled(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

impl TwilioInput {
    /// Checks every field; `region` reads a national sending number.
    pub fn validate(&self, region: &str) -> Result<TwilioSettings, ProviderSettingsError> {
        let account_sid = sid(&self.account_sid, "AC").ok_or(ProviderSettingsError::AccountSid)?;
        let api_key_sid = match filled(&self.api_key_sid) {
            Some(key) => Some(sid(key, "SK").ok_or(ProviderSettingsError::ApiKeySid)?),
            None => None,
        };
        let (from_number, messaging_service_sid) = match (
            filled(&self.from_number),
            filled(&self.messaging_service_sid),
        ) {
            (None, None) => return Err(ProviderSettingsError::NoSender),
            (Some(_), Some(_)) => return Err(ProviderSettingsError::TwoSenders),
            (Some(number), None) => (
                Some(
                    parse_phone(number, region)
                        .map_err(|e| ProviderSettingsError::FromNumber(e.to_string()))?,
                ),
                None,
            ),
            (None, Some(mg)) => (
                None,
                Some(sid(mg, "MG").ok_or(ProviderSettingsError::MessagingService)?),
            ),
        };
        let base_url = match filled(&self.base_url) {
            None => None,
            Some(text) => {
                // Parsed, not prefix-matched: "http://localhost.evil.example" and
                // "http://localhost@evil.example" are other computers, and the secret would
                // travel to them in the clear.
                let url = url::Url::parse(text).map_err(|_| ProviderSettingsError::BaseUrl)?;
                let allowed = match url.scheme() {
                    "https" => url.host().is_some(),
                    "http" => is_loopback(&url),
                    _ => false,
                };
                if !allowed || !url.username().is_empty() || url.password().is_some() {
                    return Err(ProviderSettingsError::BaseUrl);
                }
                Some(text.trim_end_matches('/').to_owned())
            }
        };
        Ok(TwilioSettings {
            account_sid,
            api_key_sid,
            from_number,
            messaging_service_sid,
            base_url,
        })
    }
}

/// How Tidings reaches the desk's Android phone running the SMSGate app's local server. The
/// password is not here: it lives only in the OS keyring, under
/// [`SmsGateSettings::keyring_account`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SmsGateSettings {
    /// `http://192.168.1.20:8080`, as the app shows it.
    pub base_url: String,
    pub username: String,
    /// Seconds between two texts from the phone: carriers tolerate tens to a few hundred
    /// texts an hour from one SIM and may block it beyond that.
    pub seconds_between_texts: u32,
}

/// The pace one SIM can keep without a carrier taking it for spam (about 900 texts an hour at
/// most).
pub const DEFAULT_SECONDS_BETWEEN_TEXTS: u32 = 4;

impl SmsGateSettings {
    /// The keyring entry holding the gateway's password.
    pub fn keyring_account(&self) -> String {
        format!("smsgate:{}:{}", self.base_url, self.username)
    }
}

/// What the Provider form (or `tidings-cli provider set smsgate`) sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SmsGateInput {
    pub base_url: String,
    pub username: String,
    /// Empty keeps the password already in the keyring for this address and username.
    pub password: String,
    #[serde(default)]
    #[ts(optional)]
    pub seconds_between_texts: Option<u32>,
}

/// Why an SMSGate form cannot be used, field by field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmsGateSettingsError {
    #[error(
        "Enter the phone's address as the SMSGate app shows it, such as http://192.168.1.20:8080."
    )]
    Address,
    #[error("Plain http:// only reaches a phone on this network (an address such as 192.168.x.x, 10.x.x.x or 172.16–31.x.x): the password would cross the internet unprotected. Use the phone's local address, or https://.")]
    PublicHttp,
    #[error("Enter the username the SMSGate app shows under Local server.")]
    Username,
    #[error("Enter the password the SMSGate app shows under Local server.")]
    Password,
    #[error("Seconds between texts must be between 1 and 3600.")]
    Pace,
}

impl SmsGateSettingsError {
    pub fn field(&self) -> &'static str {
        match self {
            Self::Address | Self::PublicHttp => "base_url",
            Self::Username => "username",
            Self::Password => "password",
            Self::Pace => "seconds_between_texts",
        }
    }
}

/// Whether an address is on this computer or the local network (private, link-local or
/// loopback ranges), where plain http is how the SMSGate app serves.
pub fn is_local_network(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => {
            name.eq_ignore_ascii_case("localhost") || name.to_ascii_lowercase().ends_with(".local")
        }
        Some(url::Host::Ipv4(ip)) => ip.is_private() || ip.is_loopback() || ip.is_link_local(),
        Some(url::Host::Ipv6(ip)) => {
            ip.is_loopback()
                || (ip.segments()[0] & 0xfe00) == 0xfc00
                || (ip.segments()[0] & 0xffc0) == 0xfe80
        }
        None => false,
    }
}

impl SmsGateInput {
    /// Checks every field but the password (which may be kept from the keyring).
    pub fn validate(&self) -> Result<SmsGateSettings, SmsGateSettingsError> {
        let text = self.base_url.trim();
        // "192.168.1.20:8080" as typed from the app's screen means http.
        let with_scheme = if text.contains("://") {
            text.to_owned()
        } else {
            format!("http://{text}")
        };
        let url = url::Url::parse(&with_scheme).map_err(|_| SmsGateSettingsError::Address)?;
        if url.host().is_none() || !url.username().is_empty() || url.password().is_some() {
            return Err(SmsGateSettingsError::Address);
        }
        match url.scheme() {
            "https" => {}
            "http" if is_local_network(&url) => {}
            "http" => return Err(SmsGateSettingsError::PublicHttp),
            _ => return Err(SmsGateSettingsError::Address),
        }
        let username = self.username.trim();
        if username.is_empty() || username.len() > 200 {
            return Err(SmsGateSettingsError::Username);
        }
        let seconds = self
            .seconds_between_texts
            .unwrap_or(DEFAULT_SECONDS_BETWEEN_TEXTS);
        if !(1..=3600).contains(&seconds) {
            return Err(SmsGateSettingsError::Pace);
        }
        Ok(SmsGateSettings {
            base_url: with_scheme.trim_end_matches('/').to_owned(),
            username: username.to_owned(),
            seconds_between_texts: seconds,
        })
    }
}

/// A carrier or Twilio error code in words the front desk can act on.
pub fn describe_error_code(code: &str) -> &'static str {
    match code {
        "30001" => "Twilio's queue overflowed; the text was not sent",
        "30002" => "the Twilio account is suspended",
        "30003" => "the phone is unreachable (switched off or out of coverage)",
        "30004" => "the recipient blocked texts from this number",
        "30005" => "the number is unknown or no longer in service",
        "30006" => "the number is a landline or can't receive texts",
        "30007" => "the carrier filtered the text as possible spam",
        "30008" => "the carrier could not deliver it (unknown error)",
        "30032" => "the sending toll-free number isn't verified yet",
        "30034" => "the sending number isn't registered for A2P 10DLC",
        "21610" => "the customer has opted out of texts from this number (replied STOP)",
        "21211" => "the number is not a valid phone number",
        "21614" => "the number can't receive texts (not a mobile)",
        "21408" => "texts to this country are not enabled on the Twilio account",
        "21612" => "Twilio can't route texts between these numbers",
        "20003" => "Twilio rejected the account credentials",
        _ => "the carrier reported an error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AC: &str = "AC0123456789abcdef0123456789abcdef";

    fn input() -> TwilioInput {
        TwilioInput {
            account_sid: AC.into(),
            api_key_sid: None,
            from_number: Some("(415) 555-2671".into()),
            messaging_service_sid: None,
            base_url: None,
            secret: "x".into(),
        }
    }

    #[test]
    fn a_complete_form_becomes_settings() {
        let s = input().validate("US").unwrap();
        assert_eq!(s.from_number.as_deref(), Some("+14155552671"));
        assert_eq!(s.keyring_account(), format!("twilio:{AC}:auth-token"));
    }

    #[test]
    fn each_bad_field_is_named() {
        let cases: Vec<(TwilioInput, &str)> = vec![
            (
                TwilioInput {
                    account_sid: "AC123".into(),
                    ..input()
                },
                "account_sid",
            ),
            (
                TwilioInput {
                    api_key_sid: Some("SKnope".into()),
                    ..input()
                },
                "api_key_sid",
            ),
            (
                TwilioInput {
                    from_number: None,
                    ..input()
                },
                "from_number",
            ),
            (
                TwilioInput {
                    messaging_service_sid: Some(format!("MG{}", "a".repeat(32))),
                    ..input()
                },
                "from_number",
            ),
            (
                TwilioInput {
                    from_number: None,
                    messaging_service_sid: Some("MG1".into()),
                    ..input()
                },
                "messaging_service_sid",
            ),
            (
                TwilioInput {
                    base_url: Some("http://example.com".into()),
                    ..input()
                },
                "base_url",
            ),
            (
                TwilioInput {
                    base_url: Some("http://localhost.evil.example".into()),
                    ..input()
                },
                "base_url",
            ),
            (
                TwilioInput {
                    base_url: Some("http://localhost@evil.example".into()),
                    ..input()
                },
                "base_url",
            ),
            (
                TwilioInput {
                    base_url: Some("http://127.0.0.1.evil.example:4010".into()),
                    ..input()
                },
                "base_url",
            ),
            (
                TwilioInput {
                    base_url: Some("https://user:pw@api.twilio.com".into()),
                    ..input()
                },
                "base_url",
            ),
            (
                TwilioInput {
                    base_url: Some("ftp://127.0.0.1".into()),
                    ..input()
                },
                "base_url",
            ),
            (
                TwilioInput {
                    from_number: Some("12".into()),
                    ..input()
                },
                "from_number",
            ),
        ];
        for (case, field) in cases {
            assert_eq!(case.validate("US").unwrap_err().field(), field, "{case:?}");
        }
        let local = TwilioInput {
            base_url: Some("http://127.0.0.1:4010/".into()),
            ..input()
        };
        assert_eq!(
            local.validate("US").unwrap().base_url.as_deref(),
            Some("http://127.0.0.1:4010")
        );
        for fine in [
            "http://localhost:4010",
            "http://[::1]:4010",
            "http://127.0.0.2",
            "https://api.twilio.com",
        ] {
            let input = TwilioInput {
                base_url: Some(fine.into()),
                ..input()
            };
            assert_eq!(
                input.validate("US").unwrap().base_url.as_deref(),
                Some(fine)
            );
        }
    }

    #[test]
    fn a_gateway_phone_is_reached_over_http_only_on_the_local_network() {
        let input = |url: &str| SmsGateInput {
            base_url: url.into(),
            username: "sms".into(),
            password: "pw".into(),
            seconds_between_texts: None,
        };
        let ok = input("192.168.1.20:8080").validate().unwrap();
        assert_eq!(ok.base_url, "http://192.168.1.20:8080");
        assert_eq!(ok.seconds_between_texts, DEFAULT_SECONDS_BETWEEN_TEXTS);
        assert_eq!(ok.keyring_account(), "smsgate:http://192.168.1.20:8080:sms");
        for fine in [
            "http://10.0.0.5:8080/",
            "http://172.16.4.2:8080",
            "http://127.0.0.1:8080",
            "http://localhost:8080",
            "http://pixel-7.local:8080",
            "http://[fd00::5]:8080",
            "https://gateway.example.com",
        ] {
            assert!(input(fine).validate().is_ok(), "{fine}");
        }
        for (bad, field) in [
            ("http://203.0.113.9:8080", "base_url"),
            ("http://gateway.example.com", "base_url"),
            ("http://192.168.1.20.evil.example", "base_url"),
            ("http://sms@192.168.1.20:8080", "base_url"),
            ("ftp://192.168.1.20", "base_url"),
            ("", "base_url"),
        ] {
            assert_eq!(input(bad).validate().unwrap_err().field(), field, "{bad}");
        }
        assert!(matches!(
            input("http://8.8.8.8").validate(),
            Err(SmsGateSettingsError::PublicHttp)
        ));
        let no_user = SmsGateInput {
            username: " ".into(),
            ..input("192.168.1.20:8080")
        };
        assert_eq!(no_user.validate().unwrap_err().field(), "username");
        let too_fast = SmsGateInput {
            seconds_between_texts: Some(0),
            ..input("192.168.1.20:8080")
        };
        assert_eq!(
            too_fast.validate().unwrap_err().field(),
            "seconds_between_texts"
        );
    }

    #[test]
    fn carrier_codes_read_as_words() {
        assert!(describe_error_code("30007").contains("spam"));
        assert!(describe_error_code("30006").contains("landline"));
        assert_eq!(
            describe_error_code("99999"),
            "the carrier reported an error"
        );
    }
}
