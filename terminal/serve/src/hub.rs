//! The cards behind the service: **one operation at a time per reader**. A request's whole
//! operation (connect, SELECT, reads, PIN, disconnect) runs under that reader's lock, so two
//! requests for the same card never interleave their APDUs; requests for different readers run
//! in parallel. Card I/O is blocking PC/SC, so it runs on tokio's blocking pool.
//!
//! Every operation connects in shared mode and disconnects leaving the card as it is (PC/SC
//! `LEAVE_CARD`): other applications on the desk keep working between operations, and each
//! operation is one PC/SC transaction (no other application's APDU comes between its APDUs). An
//! operation that sent a PIN command (PIN verify/change/unblock/reload) disconnects with
//! `RESET_CARD` instead: no verified PIN outlives the request that opened it, so no other page
//! (or a later request) reads with someone else's PIN.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use sscard_terminal::security::keyfile::KeyFile;
use sscard_terminal::security::psam;
use sscard_terminal::transport::{
    PcscOperation, PcscTransport, Protocols, ReaderSelector, ShareMode,
};
use sscard_terminal::Session;

use crate::error::ServeError;

/// Where the session's security module comes from (authentication, block/unblock).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum SecuritySource {
    /// None: reads of free items and PIN verify/change only.
    #[default]
    None,
    /// An issuer key set file (read for each operation, never kept in the service's memory
    /// longer than the operation).
    Keys(PathBuf),
    /// A PSAM in this PC/SC reader (name or index).
    Psam(String),
}

/// The session type operations get: over the card inside the operation's PC/SC transaction.
pub type CardSession<'a, 'b> = Session<&'a mut PcscOperation<'b>>;

/// The readers and their locks.
#[derive(Debug, Default)]
pub struct Hub {
    locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    security: SecuritySource,
}

impl Hub {
    /// A hub with this security module source.
    pub fn new(security: SecuritySource) -> Self {
        Hub {
            locks: Mutex::new(HashMap::new()),
            security,
        }
    }

    /// Is a security module configured?
    pub fn has_security_module(&self) -> bool {
        self.security != SecuritySource::None
    }

    fn lock_for(&self, reader: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut map = match self.locks.lock() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        map.entry(reader.to_string()).or_default().clone()
    }

    /// The reader a request names: an index into the reader list or a reader name.
    pub async fn resolve(reader: &str) -> Result<String, ServeError> {
        let sel = ReaderSelector::parse(reader);
        blocking(move || Ok(PcscTransport::reader_name(sel).map_err(sscard_terminal::Error::from)?))
            .await
    }

    /// The configured security module source.
    pub fn security(&self) -> &SecuritySource {
        &self.security
    }

    /// Run `op` (blocking) with `reader`'s name, alone on that reader: for callers that open the
    /// card themselves (the national core's devices).
    pub async fn with_reader<T, F>(&self, reader: &str, op: F) -> Result<T, ServeError>
    where
        T: Send + 'static,
        F: FnOnce(&str) -> Result<T, ServeError> + Send + 'static,
    {
        let name = Hub::resolve(reader).await?;
        let lock = self.lock_for(&name);
        let _guard = lock.lock().await;
        blocking(move || op(&name)).await
    }

    /// Run `op` on a session with the card in `reader`, alone on that reader. With `secure`,
    /// the configured security module is attached (an error when there is none).
    pub async fn with_card<T, F>(&self, reader: &str, secure: bool, op: F) -> Result<T, ServeError>
    where
        T: Send + 'static,
        F: for<'a, 'b> FnOnce(&mut CardSession<'a, 'b>) -> Result<T, sscard_terminal::Error>
            + Send
            + 'static,
    {
        let name = Hub::resolve(reader).await?;
        let lock = self.lock_for(&name);
        let _guard = lock.lock().await;
        let security = self.security.clone();
        blocking(move || run_operation(&name, secure, &security, op)).await
    }
}

fn run_operation<T, F>(
    reader: &str,
    secure: bool,
    security: &SecuritySource,
    op: F,
) -> Result<T, ServeError>
where
    F: for<'a, 'b> FnOnce(&mut CardSession<'a, 'b>) -> Result<T, sscard_terminal::Error>,
{
    let mut t = PcscTransport::connect(
        ReaderSelector::Name(reader.to_string()),
        ShareMode::Shared,
        Protocols::T0 | Protocols::T1,
    )
    .map_err(sscard_terminal::Error::from)?;
    // The whole operation is one PC/SC transaction: no other application's APDU comes between
    // its APDUs (a READ after its VERIFY, an EXTERNAL AUTHENTICATE after its GET CHALLENGE).
    let run = t.in_transaction(|card| -> (Result<T, ServeError>, bool) {
        let mut s = match Session::open(card) {
            Ok(s) => s,
            Err(e) => return (Err(e.into()), false),
        };
        let result = attach(&mut s, secure, security)
            .and_then(|()| op(&mut s))
            .map_err(ServeError::from);
        // A verified PIN must not outlive the request: the next caller (another allowed page)
        // would read PIN-protected data without the PIN. A PIN operation ends with a card
        // reset; anything else leaves the card as it is (key states are the service's own and
        // end when another DF is selected).
        (result, s.pin_state_open())
    });
    let (result, reset) = match run {
        Ok(x) => x,
        Err(e) => {
            let _ = t.close();
            return Err(sscard_terminal::Error::from(e).into());
        }
    };
    let closed = if reset {
        t.close_resetting()
    } else {
        t.close()
    };
    let value = result?;
    closed.map_err(sscard_terminal::Error::from)?;
    Ok(value)
}

fn attach(
    s: &mut CardSession<'_, '_>,
    secure: bool,
    security: &SecuritySource,
) -> Result<(), sscard_terminal::Error> {
    if !secure {
        return Ok(());
    }
    match security {
        SecuritySource::None => Err(sscard_terminal::Error::NoSecurityModule),
        SecuritySource::Keys(path) => {
            s.set_security_module(KeyFile::load(path)?.into_security_module());
            Ok(())
        }
        SecuritySource::Psam(r) => {
            let pt = PcscTransport::connect(
                ReaderSelector::parse(r),
                ShareMode::Shared,
                Protocols::T0 | Protocols::T1,
            )?;
            let sm = psam::open(pt, s.profile())
                .map_err(|e| sscard_terminal::Error::SecurityModule(format!("PSAM in {r}: {e}")))?;
            s.set_security_module(sm);
            Ok(())
        }
    }
}

/// Run blocking card work on tokio's blocking pool.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ServeError> + Send + 'static,
) -> Result<T, ServeError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ServeError::Internal(format!("card task: {e}")))?
}
