//! The national read-card functions the WebSocket dialect calls, over the library's `national`
//! module and `Session` — the same code path as the national C library, never a second
//! implementation of the string formats.
//!
//! TODO(national core): the library's `national` module is growing the full national function
//! set (iReadCard's file-address mirror, iWriteCard, the PIN functions, the HSM steps, the error
//! table) for `libSSCardDriver`; when it lands, [`call`] dispatches to those functions and the
//! `read_card` body below (the file-address mirror) moves there. Only this file changes.

use sscard_specs::paths::parse_pfileaddr;
use sscard_specs::ItemPath;
use sscard_terminal::national::{read_card_bas, TerminalIds};

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

/// The file-address items of `p_file_addr`, each resolved through the specs — checked before
/// the card is touched. Returns, per file, its name (`SSSEEF05`) and its item paths.
pub fn file_items(p_file_addr: &str) -> Result<Vec<(String, Vec<ItemPath>)>, ServeError> {
    let mut files = Vec::new();
    for f in parse_pfileaddr(p_file_addr) {
        let f = f.map_err(|e| ServeError::BadRequest(format!("pFileAddr: {e}")))?;
        let mut paths = Vec::new();
        for p in f.item_paths() {
            let p = p.map_err(|e| ServeError::BadRequest(format!("pFileAddr: {e}")))?;
            p.resolve()
                .map_err(|e| ServeError::BadRequest(format!("pFileAddr {p}: {e}")))?;
            paths.push(p);
        }
        files.push((format!("{}{:04X}", f.df.name(), f.ef), paths));
    }
    if files.is_empty() {
        return Err(ServeError::BadRequest("pFileAddr names no file".into()));
    }
    Ok(files)
}

/// The reader an `iType` means: the configured reader, else the first reader holding a card
/// (contact and contactless are not told apart by PC/SC names).
async fn reader_for(configured: Option<&str>, _i_type: i64) -> Result<String, ServeError> {
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
            Ok(read_card_bas(&info, &TerminalIds::default()))
        }
        NationalCall::ReadCard {
            i_type,
            i_auth_type,
            p_file_addr,
            ..
        } => {
            let files = file_items(&p_file_addr)?;
            if !matches!(i_auth_type, 1 | 2) {
                return Err(ServeError::BadRequest(format!(
                    "iAuthType {i_auth_type}: 1 (PIN) or 2 (key) expected"
                )));
            }
            let reader = reader_for(reader, i_type).await?;
            let secure = i_auth_type == 2;
            hub.with_card(&reader, secure, move |s| {
                let mut out = String::new();
                for (name, paths) in &files {
                    out.push_str(name);
                    out.push('|');
                    for p in paths {
                        let v = s.read_item(&p.to_string())?;
                        out.push_str(&v.value.to_string().replace(['|', '$'], " "));
                        out.push('|');
                    }
                    out.push('$');
                }
                Ok(out)
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
        let f = file_items("SSSEEF05|07|$SSSEEF06|08|09|$").unwrap();
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].0, "SSSEEF05");
        assert_eq!(f[1].1.len(), 2);
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
