//! `iReadCard` / `iWriteCard`: data items by file address (sscard-spec.md §6.2).
//!
//! The file address is parsed by the one parser, [`sscard_specs::paths::parse_pfileaddr`]:
//! `SSSEEF05|01|07|$SSSEEF06|08|09|$`, the occurrence form `DF01EF15|40:02|` and the record form
//! `DF02EF07:01$`. The output mirrors it with values in place of tags:
//! `SSSEEF05|<01>|<07>|$SSSEEF06|<08>|<09>|$` — an/cn items as text, b items as hex, B-TLV groups
//! as `TT=v;TT=v`, a record of a cyclic EF as its fields `v|v|…|`; an item the card does not hold
//! is empty. `pWriteData` has the same shape as the output (the file name may be left out:
//! `v|v|$v|$`).
//!
//! Everything is parsed, resolved against the specs and encoded before the first write APDU, so a
//! malformed address or value writes nothing.

use sscard_specs::paths::{parse_pfileaddr, FileAddr, ItemPath};
use sscard_specs::{EfSpec, Resolved};

use super::basic::Call;
use super::device::{Device, PinPrompt};
use super::error::{NationalError, NationalResult};
use super::format::field;
use crate::error::{DataError, Error};
use crate::model::item::item_spec;
use crate::model::value::{self, Value};
use crate::model::RecordValue;

/// `iAuthType` of `iReadCard`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthType {
    /// 0: none (free-read files).
    None,
    /// 1: the holder's PIN (entered on the PIN pad / PIN-entry program).
    Pin,
    /// 2: the file's RK key, through the PSAM.
    Key,
}

impl AuthType {
    /// `iAuthType` 0, 1 or 2 (−14 otherwise).
    pub fn from_code(code: i32) -> NationalResult<Self> {
        match code {
            0 => Ok(AuthType::None),
            1 => Ok(AuthType::Pin),
            2 => Ok(AuthType::Key),
            other => Err(NationalError::BadParameter(format!(
                "iAuthType {other} (1 PIN, 2 RK key)"
            ))),
        }
    }
}

/// One item to write: where, and the encoded value bytes.
pub(crate) type Write = (Resolved, Vec<u8>);

/// One file of a parsed address: its name as given, the EF, and what to read in it.
#[derive(Debug)]
pub(crate) struct FileRequest {
    name: String,
    ef: &'static EfSpec,
    what: Target,
}

impl FileRequest {
    /// The EF.
    pub(crate) fn ef(&self) -> &'static EfSpec {
        self.ef
    }

    /// The file name as the caller wrote it.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }
}

#[derive(Debug)]
enum Target {
    Items(Vec<Resolved>),
    Record(u8),
}

/// Parse and resolve a whole file address (no card needed). Errors: −14 syntax, −23 an EF or tag
/// the specs do not have.
pub(crate) fn parse_address(addr: &str) -> NationalResult<Vec<FileRequest>> {
    let names = addr.split('$').filter(|e| !e.trim().is_empty());
    let mut out = Vec::new();
    for (entry, parsed) in names.zip(parse_pfileaddr(addr)) {
        let fa: FileAddr<'_> = parsed?;
        let name = entry
            .split('|')
            .next()
            .unwrap_or_default()
            .trim()
            .to_string();
        let whole = ItemPath {
            df: fa.df,
            ef: fa.ef,
            tag: None,
            occurrence: 0,
        };
        let ef = whole.resolve()?.ef;
        let what = match fa.record {
            Some(n) => {
                if fa.tag_count() > 0 {
                    return Err(NationalError::BadParameter(format!(
                        "pFileAddr: {name} names a record and tags"
                    )));
                }
                Target::Record(n)
            }
            None => {
                let mut items = Vec::new();
                for p in fa.item_paths() {
                    items.push(p?.resolve()?);
                }
                if items.is_empty() {
                    return Err(NationalError::BadParameter(format!(
                        "pFileAddr: {name} names no tag"
                    )));
                }
                Target::Items(items)
            }
        };
        out.push(FileRequest { name, ef, what });
    }
    if out.is_empty() {
        return Err(NationalError::BadParameter("pFileAddr is empty".into()));
    }
    Ok(out)
}

/// A value as a field of the output.
fn value_text(v: &Value) -> String {
    match v {
        Value::Text(s) => field(s),
        Value::Group(items) => items
            .iter()
            .map(|(t, v)| format!("{t}={}", value_text(v)))
            .collect::<Vec<_>>()
            .join(";"),
    }
}

/// Check `pCardInfo` = `卡识别码|卡号|` against the card (empty: no check). −20 a card id that
/// is not 32 hex digits, −22 another card.
pub(crate) fn check_card_info(call: &mut Call, card_info: &str) -> NationalResult<()> {
    let mut parts = card_info.split('|').map(str::trim);
    let id = parts.next().unwrap_or_default();
    let number = parts.next().unwrap_or_default();
    if id.is_empty() && number.is_empty() {
        return Ok(());
    }
    let id_bytes = hex::decode(id)
        .ok()
        .filter(|b| b.len() == 16)
        .ok_or_else(|| NationalError::BadCardId(id.to_string()))?;
    let issuer = call.run(|s| s.read_issuer())?;
    let card_id = hex::decode(&issuer.card_id.raw).unwrap_or_default();
    if card_id != id_bytes {
        return Err(NationalError::Mismatch(format!(
            "卡识别码 {id} is not the card's {}",
            issuer.card_id.raw
        )));
    }
    let card_no: String = issuer.card_number.chars().take(9).collect();
    if !number.is_empty() && !number.eq_ignore_ascii_case(&card_no) {
        return Err(NationalError::Mismatch(format!(
            "卡号 {number} is not the card's {card_no}"
        )));
    }
    Ok(())
}

/// `iReadCard(iType, iAuthType, pCardInfo, pFileAddr, pOutInfo)`.
pub fn read_card(
    dev: &mut dyn Device,
    itype: i32,
    auth_type: i32,
    card_info: &str,
    file_addr: &str,
) -> NationalResult<String> {
    let auth = AuthType::from_code(auth_type)?;
    let files = parse_address(file_addr)?;
    let mut call = Call::open(dev, itype)?;
    check_card_info(&mut call, card_info)?;
    match auth {
        AuthType::None => {}
        AuthType::Pin => {
            let pin = dev.enter_pin(PinPrompt::Verify)?;
            call.run(|s| s.verify_pin(&pin))?;
        }
        AuthType::Key => call.attach_psam(dev)?,
    }
    read_files(&mut call, &files)
}

/// Read every file of the request into the mirrored output.
pub(crate) fn read_files(call: &mut Call, files: &[FileRequest]) -> NationalResult<String> {
    call.run(|s| s.version_lenient().map(|_| ()))?;
    let mut out = String::new();
    for f in files {
        out.push_str(&f.name);
        out.push('|');
        match &f.what {
            Target::Items(items) => {
                for r in items {
                    let text = read_item_text(call, r)?;
                    out.push_str(&text);
                    out.push('|');
                }
            }
            Target::Record(n) => {
                let n = *n;
                let ef = f.ef;
                call.run(|s| s.ensure_read_access(ef))?;
                let data = call.run(|s| {
                    s.read_record_raw(ef, sscard_apdu::commands::RecordSelector::ByNumber(n), 256)
                })?;
                if let Some(data) = data {
                    let rec = RecordValue::decode(n, ef.fields, &data)
                        .map_err(|e| NationalError::Terminal(e.into()))?;
                    for (_, v) in &rec.fields {
                        out.push_str(&value_text(v));
                        out.push('|');
                    }
                }
            }
        }
        out.push('$');
    }
    Ok(out)
}

fn read_item_text(call: &mut Call, r: &Resolved) -> NationalResult<String> {
    let bytes = call.run(|s| s.read_item_bytes(r))?;
    let Some(bytes) = bytes else {
        return Ok(String::new());
    };
    let tag = r.item.map(|i| i.tag).unwrap_or_default();
    let version = call.session.version();
    let item = item_spec(r.ef, tag, version)
        .ok_or_else(|| NationalError::IllegalInput(r.path().to_string()))?;
    let v = value::decode(item, &bytes).map_err(|e| NationalError::Terminal(e.into()))?;
    Ok(value_text(&v))
}

/// Split `pWriteData` along the files of the address: per file its values (the file name, when
/// repeated in front, is skipped). −14 when the counts differ.
fn split_write_data<'a>(files: &[FileRequest], data: &'a str) -> NationalResult<Vec<Vec<&'a str>>> {
    let entries: Vec<&str> = data.split('$').filter(|e| !e.trim().is_empty()).collect();
    if entries.len() != files.len() {
        return Err(NationalError::BadParameter(format!(
            "pWriteData has {} files, pFileAddr {}",
            entries.len(),
            files.len()
        )));
    }
    let mut out = Vec::new();
    for (f, e) in files.iter().zip(entries) {
        let mut values: Vec<&str> = e.split('|').collect();
        // `a|b|` splits into [a, b, ""]: the last empty piece is the terminator.
        if values.last().is_some_and(|v| v.is_empty()) {
            values.pop();
        }
        let Target::Items(items) = &f.what else {
            return Err(NationalError::Unsupported(format!(
                "writing a whole record ({})",
                f.name
            )));
        };
        if values.len() == items.len() + 1
            && values
                .first()
                .is_some_and(|v| v.trim().eq_ignore_ascii_case(&f.name))
        {
            values.remove(0);
        }
        if values.len() != items.len() {
            return Err(NationalError::BadParameter(format!(
                "pWriteData gives {} values for the {} tags of {}",
                values.len(),
                items.len(),
                f.name
            )));
        }
        out.push(values);
    }
    Ok(out)
}

fn data_error(path: &str, e: DataError) -> NationalError {
    match e {
        DataError::TooLong { .. } => NationalError::BadDataLength(format!("{path}: {e}")),
        other => NationalError::BadDataChars(format!("{path}: {other}")),
    }
}

/// Parse, resolve and encode a write request against the card's version (nothing is sent to
/// the card but what reading the version needs).
pub(crate) fn encode_writes(
    call: &mut Call,
    file_addr: &str,
    write_data: &str,
) -> NationalResult<(Vec<FileRequest>, Vec<Write>)> {
    let files = parse_address(file_addr)?;
    let values = split_write_data(&files, write_data)?;
    let version = call.run(|s| s.version_lenient())?;
    let mut writes = Vec::new();
    for (f, vals) in files.iter().zip(values) {
        let Target::Items(items) = &f.what else {
            continue;
        };
        for (r, text) in items.iter().zip(vals) {
            let tag = r.item.map(|i| i.tag).unwrap_or_default();
            let path = r.path().to_string();
            let item = item_spec(r.ef, tag, version)
                .ok_or_else(|| NationalError::IllegalInput(path.clone()))?;
            let bytes = value::encode(item, text).map_err(|e| data_error(&path, e))?;
            writes.push((*r, bytes));
        }
    }
    Ok((files, writes))
}

/// `iWriteCard(iType, pCardInfo, pFileAddr, pWriteData, pOutInfo)`: writes through the PSAM (the
/// files' UK keys), each read back; pOutInfo mirrors the address with what the card holds
/// afterwards.
pub fn write_card(
    dev: &mut dyn Device,
    itype: i32,
    card_info: &str,
    file_addr: &str,
    write_data: &str,
) -> NationalResult<String> {
    parse_address(file_addr)?;
    let mut call = Call::open(dev, itype)?;
    check_card_info(&mut call, card_info)?;
    let (files, writes) = encode_writes(&mut call, file_addr, write_data)?;
    call.attach_psam(dev)?;
    apply_writes(&mut call, &writes)?;
    read_files(&mut call, &files)
}

/// UPDATE RECORD each item (UK authentication by the session's security module), read back.
pub(crate) fn apply_writes(call: &mut Call, writes: &[Write]) -> NationalResult<()> {
    for (r, bytes) in writes {
        call.run(|s| s.write_item_bytes(r, bytes))
            .map_err(|e| match e {
                NationalError::Terminal(Error::WriteNotConfirmed { .. }) => {
                    NationalError::Mismatch(e.to_string())
                }
                other => other,
            })?;
    }
    Ok(())
}
