//! The national read-card functions the WebSocket dialect calls, over the library's `national`
//! module and `Session` — the same code path as the national C library, never a second
//! implementation of the string formats: `iReadCardBas` is [`national::read_card_bas`],
//! `iReadCard` is [`national::parse_file_address`] (before the card is touched) then
//! [`national::read_card`].
//!
//! `iReadCard`'s `iAuthType` 1 (PIN) reads under the card's current security state (a PIN
//! verified through `POST /v1/readers/{reader}/pin/verify`; the dialect carries no PIN), 2 (key)
//! attaches the configured security module.

use sscard_terminal::national::{self, FileRequest, TerminalIds};

use crate::error::ServeError;
use crate::hub::Hub;

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

/// The files of `p_file_addr`, resolved through the library (the specs) — checked before the
/// card is touched; a bad address is a [`ServeError::BadRequest`].
pub fn file_items(p_file_addr: &str) -> Result<Vec<FileRequest>, ServeError> {
    national::parse_file_address(p_file_addr)
        .map_err(|e| ServeError::BadRequest(format!("pFileAddr: {e}")))
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
    match call {
        NationalCall::ReadCardBas { i_type } => {
            let reader = reader_for(reader, i_type).await?;
            let info = hub
                .with_card(&reader, false, |s| s.read_basic_info())
                .await?;
            Ok(national::read_card_bas(&info, &TerminalIds::default()))
        }
        NationalCall::ReadCard {
            i_type,
            i_auth_type,
            p_file_addr,
            ..
        } => {
            let files = file_items(&p_file_addr)?;
            if !matches!(i_auth_type, 0..=2) {
                return Err(ServeError::BadRequest(format!(
                    "iAuthType {i_auth_type}: 0 (none), 1 (PIN) or 2 (key) expected"
                )));
            }
            let reader = reader_for(reader, i_type).await?;
            let secure = i_auth_type == 2;
            hub.with_card(&reader, secure, move |s| national::read_card(s, &files))
                .await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_addresses_are_checked_before_the_card() {
        let f = file_items("SSSEEF05|07|$SSSEEF06|08|09|$").unwrap();
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].name, "SSSEEF05");
        assert_eq!(f[1].items.len(), 2);
        for bad in [
            "",
            "$",
            "XXEF05|07|$",
            "SSSEEF05|ZZ|$",
            "SSSEEF05|77|$",
            "../EF05|07|$",
        ] {
            assert!(
                matches!(file_items(bad), Err(ServeError::BadRequest(_))),
                "{bad:?}"
            );
        }
    }
}
