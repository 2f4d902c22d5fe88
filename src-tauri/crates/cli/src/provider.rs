//! `tidings-cli provider`: the SMS provider texts go through, chosen, shown, tested or resumed.

use clap::Subcommand;
use tidings_engine::domain::{SmsGateInput, TwilioInput, WriteSource};
use tidings_engine::{Engine, ErrorCode, ErrorPayload, ProviderView};

use crate::output::print_json;
use crate::{fail, runtime};

#[derive(Debug, Subcommand)]
pub(crate) enum ProviderAction {
    /// Choose the provider texts go through.
    Set {
        #[command(subcommand)]
        choice: ProviderChoice,
    },
    /// The provider in use, its settings (never the secret) and the keyring's state.
    Show,
    /// Sends a test text to a phone through the provider in use.
    TestText { to: String },
    /// Resume sending after fixing what paused it (rejected credentials, a locked keyring).
    Resume,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ProviderChoice {
    /// The built-in simulated carrier: nothing leaves this computer.
    Sandbox {
        /// Also remove the Twilio settings and its secret from the keyring.
        #[arg(long)]
        forget: bool,
    },
    /// A Twilio account. The secret (API key secret, or Auth Token without --api-key) is read
    /// from standard input and stored only in the OS keyring.
    Twilio {
        #[arg(long)]
        account_sid: String,
        #[arg(long)]
        api_key: Option<String>,
        #[arg(long = "from")]
        from_number: Option<String>,
        #[arg(long)]
        messaging_service: Option<String>,
        #[arg(long)]
        base_url: Option<String>,
    },
    /// The desk's Android phone running the SMSGate app's local server. The password the app
    /// shows is read from standard input and stored only in the OS keyring.
    Smsgate {
        /// The address the app shows, such as http://192.168.1.20:8080.
        #[arg(long)]
        url: String,
        #[arg(long)]
        username: String,
        /// Seconds between two texts from the phone (default 4).
        #[arg(long)]
        seconds_between: Option<u32>,
    },
}

/// All of standard input: a secret piped in, never typed on the command line.
fn read_stdin(what: &str) -> Result<String, ErrorPayload> {
    let mut text = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin(), &mut text).map_err(|e| {
        fail(
            ErrorCode::InvalidInput,
            format!("Can't read the {what} from standard input: {e}"),
        )
    })?;
    Ok(text)
}

pub(crate) fn run(engine: &Engine, action: ProviderAction, json: bool) -> Result<(), ErrorPayload> {
    let runtime = runtime()?;
    let view = match action {
        ProviderAction::Show => engine.provider_view()?,
        ProviderAction::Resume => engine.resume_sending(WriteSource::Cli)?,
        ProviderAction::TestText { to } => {
            let sent = runtime.block_on(engine.send_test_text(&to, WriteSource::Cli, "cli"))?;
            if json {
                return print_json(&sent);
            }
            out!("test text to {}: {:?}", sent.to, sent.status);
            return Ok(());
        }
        ProviderAction::Set {
            choice: ProviderChoice::Sandbox { forget },
        } => engine.use_sandbox(forget, WriteSource::Cli, "cli")?,
        ProviderAction::Set {
            choice:
                ProviderChoice::Twilio {
                    account_sid,
                    api_key,
                    from_number,
                    messaging_service,
                    base_url,
                },
        } => {
            let secret = read_stdin("secret")?;
            let input = TwilioInput {
                account_sid,
                api_key_sid: api_key,
                from_number,
                messaging_service_sid: messaging_service,
                base_url,
                secret: secret.trim().to_owned(),
            };
            runtime.block_on(engine.connect_twilio(&input, WriteSource::Cli, "cli"))?
        }
        ProviderAction::Set {
            choice:
                ProviderChoice::Smsgate {
                    url,
                    username,
                    seconds_between,
                },
        } => {
            let password = read_stdin("password")?;
            let input = SmsGateInput {
                base_url: url,
                username,
                password: password.trim().to_owned(),
                seconds_between_texts: seconds_between,
            };
            runtime.block_on(engine.connect_smsgate(&input, WriteSource::Cli, "cli"))?
        }
    };
    if json {
        return print_json(&view);
    }
    print_view(&view);
    Ok(())
}

fn print_view(view: &ProviderView) {
    out!("provider:  {}", view.kind.as_str());
    if let Some(t) = &view.twilio {
        out!("account:   {}", t.account_sid);
        if let Some(from) = &t.from_number {
            out!("from:      {from}");
        }
        if let Some(mg) = &t.messaging_service_sid {
            out!("service:   {mg}");
        }
        out!(
            "secret:    {}",
            if view.secret_stored {
                "in the keyring"
            } else {
                "missing"
            }
        );
    }
    if let Some(g) = &view.smsgate {
        out!("phone:     {} as {}", g.base_url, g.username);
        out!("pace:      one text every {} s", g.seconds_between_texts);
        out!(
            "password:  {}",
            if view.smsgate_password_stored {
                "in the keyring"
            } else {
                "missing"
            }
        );
    }
    if let Some(reason) = &view.paused {
        out!("PAUSED:    {reason}");
    }
}
