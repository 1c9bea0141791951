//! Writing data items: EXTERNAL AUTHENTICATE with the EF's update key, UPDATE RECORD, then read
//! the record back and compare — a write is only reported done when the card holds it.

use sscard_apdu::commands::{self, RecordSelector};
use sscard_apdu::record::encode_record;
use sscard_apdu::StatusWord;
use sscard_specs::item::{SSSE_EF05_CARD_ID, SSSE_EF05_VERSION};
use sscard_specs::paths::record_number_for;
use sscard_specs::{Resolved, SpecVersion, WriteRule};

use super::{is_form_refusal, Session};
use crate::error::{Error, ItemError, Result};
use crate::model::item::item_spec;
use crate::model::value;
use crate::model::ItemValue;
use crate::transport::Transport;

impl<T: Transport> Session<T> {
    /// Write `text` (an/cn text, hex for b, `TT=v;TT=v` for B-TLV groups) to the item at `path`
    /// and return what the card holds afterwards.
    pub fn write_item(&mut self, path: &str, text: &str) -> Result<ItemValue> {
        let r = sscard_specs::resolve(path)?;
        self.version_lenient()?;
        let tag = r
            .item
            .ok_or_else(|| Error::item(path, ItemError::NotAnItem))?
            .tag;
        let item = item_spec(r.ef, tag, self.version)
            .ok_or_else(|| Error::Internal(format!("{path} is not in the specs")))?;
        let bytes = value::encode(item, text)?;
        self.write_item_bytes(&r, &bytes)?;
        self.decode_item(&r, tag, &bytes)
    }

    /// Write the value bytes of a resolved item path (UK ext-auth + UPDATE RECORD by absolute
    /// record number + read-back). Fails with [`Error::WriteNotConfirmed`] when the card holds
    /// something else afterwards.
    pub fn write_item_bytes(&mut self, r: &Resolved, value: &[u8]) -> Result<()> {
        let ef = r.ef;
        self.version_lenient()?;
        let tag = r
            .item
            .ok_or_else(|| Error::item(r.path(), ItemError::NotAnItem))?
            .tag;
        let item = item_spec(ef, tag, self.version)
            .ok_or_else(|| Error::Internal(format!("{} is not in the specs", r.path())))?;
        let path = r.path().to_string();
        let WriteRule::Key(uk) = ef.write else {
            return Err(Error::item(path, ItemError::NotWritable));
        };
        let version = self.version.unwrap_or(SpecVersion::V2_00);
        let number = record_number_for(ef, version, item.tag, r.occurrence).ok_or_else(|| {
            Error::item(
                &path,
                ItemError::NoRecord {
                    version: version.as_str(),
                },
            )
        })?;
        let mut record = vec![0u8; value.len() + 4];
        let n = encode_record(item.tag, value, &mut record)
            .map_err(|e| Error::Internal(format!("{path}: {e}")))?;
        record.truncate(n);

        if self.sm.is_some() {
            self.ensure_key(ef.df, uk)?;
        } else {
            // No keys: try anyway, the card's refusal (6982) is the answer.
            self.select_df(ef.df)?;
        }
        loop {
            let sfi = self.record_sfi(ef)?;
            let cmd = commands::update_record(number, sfi, &record)
                .map_err(Error::command(format_args!("UPDATE RECORD {path}")))?;
            let (_, sw) = self.send(&cmd)?;
            if sw == StatusWord::OK {
                break;
            }
            if sfi.is_some() && is_form_refusal(sw) {
                self.note_refusal(sw, false);
                continue;
            }
            return Err(Error::refused(format!("UPDATE RECORD {path}"), sw));
        }

        // Read back the record just written, by number (after satisfying the read rule: a UK
        // authentication does not open reads).
        self.ensure_read_access(ef)?;
        let back = self
            .read_record_raw(
                ef,
                RecordSelector::ByNumber(number),
                u32::from(item.record_len()),
            )?
            .unwrap_or_default();
        if back != record {
            return Err(Error::WriteNotConfirmed {
                path,
                read_back: hex::encode_upper(&back),
                expected: hex::encode_upper(&record),
            });
        }
        if SSSE_EF05_CARD_ID.is(ef, item.tag) {
            self.card_id = <[u8; 16]>::try_from(value).ok();
        } else if SSSE_EF05_VERSION.is(ef, item.tag) {
            if let Some(v) = super::select::parse_version_value(value) {
                self.version = Some(v);
            }
        }
        Ok(())
    }
}
