//! The national read-card functions the WebSocket dialect calls — the library's national core
//! (`sscard_terminal::national`), the same code path as the national C library
//! (`libSSCardDriver`), never a second implementation:
//!
//! - `iReadCard` is [`national::read_card`] over a [`Device`] that opens the dialect's reader
//!   (under the hub's per-reader lock) and the configured PSAM; the file address is checked by
//!   [`national::check_file_address`] before the card is touched;
//! - `iReadCardBas` is [`national::read_card_bas`] (the §6.4 procedure: internal authentication
//!   through the PSAM, its terminal numbers) when a PSAM is configured; without one it is the
//!   same 11-field string ([`national::format::read_card_bas`]) of the card's basic information,
//!   with empty terminal fields and no genuineness check.
//!
//! The service has no PIN pad: `iAuthType` 1 (PIN) reads under the PIN state the card already
//! has (verified through `POST /v1/readers/{reader}/pin/verify`), like 0; 2 attaches the PSAM.

use sscard_terminal::national::{
    self, Device, DynTransport, Interface, NationalError, NationalResult, PinPrompt, TerminalIds,
};
use sscard_terminal::transport::{PcscTransport, Protocols, ReaderSelector, ShareMode};
use zeroize::Zeroizing;

use crate::error::ServeError;
use crate::hub::{Hub, SecuritySource};

/// A national function call as the dialect carries it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NationalCall {
    /// `iReadCardBas(iType, pOutInfo)`.
    ReadCardBas {
        /// Reader choice (1 contact, 2 contactless, 3/4 automatic).
        i_type: i64,
    },
    /// `iReadCard(iType, iAuthType, pCardInfo, pFileAddr, pOutInfo)`.
    ReadCard {
        /// Reader choice.
        i_type: i64,
        /// 1 PIN, 2 key (needs the security module).
        i_auth_type: i64,
        /// `卡识别码|卡号|` (not checked against the card here).
        p_card_info: String,
        /// `SSSEEF05|06|07|$…`.
        p_file_addr: String,
    },
}

/// Check `p_file_addr` through the national core (the specs) before the card is touched; a bad
/// address is a [`ServeError::BadRequest`].
pub fn check_file_address(p_file_addr: &str) -> Result<(), ServeError> {
    national::check_file_address(p_file_addr)
        .map_err(|e| ServeError::BadRequest(format!("pFileAddr: {}", e.message())))
}

/// The national core's [`Device`] for one dialect call: the card in `reader` (already locked by
/// the hub), the PSAM of the configuration, no PIN entry.
struct ServeDevice {
    reader: String,
    psam: Option<String>,
}

fn connect(reader: ReaderSelector) -> NationalResult<DynTransport> {
    let t = PcscTransport::connect(reader, ShareMode::Shared, Protocols::T0 | Protocols::T1)?;
    Ok(Box::new(t))
}

impl Device for ServeDevice {
    fn open_card(&mut self, _interface: Interface) -> NationalResult<DynTransport> {
        connect(ReaderSelector::Name(self.reader.clone()))
    }

    fn open_psam(&mut self) -> NationalResult<DynTransport> {
        match &self.psam {
            Some(r) => connect(ReaderSelector::parse(r)),
            None => Err(NationalError::NoPsam(
                "no psam_reader in the service's configuration".into(),
            )),
        }
    }

    fn enter_pin(&mut self, _prompt: PinPrompt) -> NationalResult<Zeroizing<String>> {
        Err(NationalError::Unsupported(
            "the service has no PIN entry: verify the PIN through the HTTP API".into(),
        ))
    }
}

/// The reader an `iType` means: the configured reader, else the first reader holding a card
/// (contact and contactless are not told apart by PC/SC names).
async fn reader_for(configured: Option<&str>, i_type: i64) -> Result<String, ServeError> {
    if !(1..=4).contains(&i_type) {
        return Err(ServeError::BadRequest(format!(
            "iType {i_type}: 1 (contact), 2 (contactless), 3 or 4 (automatic) expected"
        )));
    }
    if let Some(r) = configured {
        return Ok(r.to_string());
    }
    let readers = crate::hub::blocking(|| {
        Ok(sscard_terminal::transport::reader_status().map_err(sscard_terminal::Error::from)?)
    })
    .await?;
    readers
        .into_iter()
        .find(|r| r.card == sscard_terminal::transport::CardPresence::Present)
        .map(|r| r.name)
        .ok_or(ServeError::Card(sscard_terminal::Error::Transport(
            sscard_terminal::transport::TransportError::CardRemoved,
        )))
}

/// Run a national call; the answer is `pOutInfo`.
pub async fn call(
    hub: &Hub,
    reader: Option<&str>,
    call: NationalCall,
) -> Result<String, ServeError> {
    let psam = match hub.security() {
        SecuritySource::Psam(r) => Some(r.clone()),
        _ => None,
    };
    match call {
        NationalCall::ReadCardBas { i_type } => {
            let reader = reader_for(reader, i_type).await?;
            let itype = i32::try_from(i_type).unwrap_or(-1);
            match psam {
                Some(psam) => {
                    hub.with_reader(&reader, move |name| {
                        let mut dev = ServeDevice {
                            reader: name.to_string(),
                            psam: Some(psam),
                        };
                        national::read_card_bas(&mut dev, itype).map_err(ServeError::from)
                    })
                    .await
                }
                None => {
                    let info = hub
                        .with_card(&reader, false, |s| s.read_basic_info())
                        .await?;
                    Ok(national::format::read_card_bas(
                        &info,
                        &TerminalIds::default(),
                    ))
                }
            }
        }
        NationalCall::ReadCard {
            i_type,
            i_auth_type,
            p_card_info,
            p_file_addr,
        } => {
            check_file_address(&p_file_addr)?;
            let auth = match i_auth_type {
                // No PIN pad here: the PIN state the card has (verified through the API).
                0 | 1 => 0,
                2 => 2,
                other => {
                    return Err(ServeError::BadRequest(format!(
                        "iAuthType {other}: 0 (none), 1 (PIN) or 2 (key) expected"
                    )))
                }
            };
            let reader = reader_for(reader, i_type).await?;
            let itype = i32::try_from(i_type).unwrap_or(-1);
            hub.with_reader(&reader, move |name| {
                let mut dev = ServeDevice {
                    reader: name.to_string(),
                    psam,
                };
                national::read_card(&mut dev, itype, auth, &p_card_info, &p_file_addr)
                    .map_err(ServeError::from)
            })
            .await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_addresses_are_checked_before_the_card() {
        check_file_address("SSSEEF05|07|$SSSEEF06|08|09|$").unwrap();
        for bad in [
            "",
            "$",
            "XXEF05|07|$",
            "SSSEEF05|ZZ|$",
            "SSSEEF05|77|$",
            "../EF05|07|$",
        ] {
            assert!(
                matches!(check_file_address(bad), Err(ServeError::BadRequest(_))),
                "{bad:?}"
            );
        }
    }
}
