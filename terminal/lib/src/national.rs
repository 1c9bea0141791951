//! Output strings of the national read-card interface (sscard-spec.md §6.2), so integrators
//! that parse `iReadCardBas` / `iReadCard` output can switch to sscard without changing their
//! parsers: [`read_card_bas`], and [`parse_file_address`] + [`read_card`] for `iReadCard`'s file
//! addresses (`SSSEEF05|06|07|$…`). The local service's WebSocket dialect (`sscard-serve`) uses
//! exactly these.

use sscard_specs::paths::parse_pfileaddr;
use sscard_specs::Resolved;

use crate::error::{Error, Result};
use crate::model::item::ItemValue;
use crate::model::value::Value;
use crate::model::BasicInfo;
use crate::transport::Transport;
use crate::Session;

/// Terminal numbers a PSAM would provide (empty without a PSAM).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TerminalIds {
    /// 终端机编号 (PSAM EF15 terminal number, 12 digits).
    pub terminal_no: String,
    /// 终端设备号 (device serial).
    pub device_no: String,
}

/// `iReadCardBas` pOutInfo: `区划代码|社会保障号码|卡号|卡识别码|姓名|卡复位信息|规范版本|发卡日期|
/// 卡有效期|终端机编号|终端设备号|` — every item followed by `|`. The region is the first 6
/// digits of the card identification code, the card number its first 9 characters, the name
/// EF06/09 ‖ EF06/4E, the reset information the ATR's historical bytes.
///
/// A `|` inside a value would break the format; it is replaced by a space.
pub fn read_card_bas(info: &BasicInfo, terminal: &TerminalIds) -> String {
    let card_no: String = info.issuer.card_number.chars().take(9).collect();
    let fields = [
        info.issuer.card_id.region.as_str(),
        info.holder.ssn.as_str(),
        card_no.as_str(),
        info.issuer.card_id.raw.as_str(),
        info.holder.name.as_str(),
        info.reset_info.as_str(),
        info.issuer.version.as_str(),
        info.issuer.issue_date.as_str(),
        info.issuer.expiry_date.as_str(),
        terminal.terminal_no.as_str(),
        terminal.device_no.as_str(),
    ];
    let mut out = String::new();
    for f in fields {
        out.push_str(&f.replace('|', " "));
        out.push('|');
    }
    out
}

// ------------------------------------------------------------------ iReadCard

/// One file of an `iReadCard` file address (`pFileAddr`, sscard-spec.md §6.2), resolved against
/// the specs: the file name as the caller wrote it (`SSSEEF05`) and its items in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileRequest {
    /// The file name as given (`SSSEEF05`, `DF01EF15`, `MFEF05`).
    pub name: String,
    /// The items (tag, occurrence) in the order of the address.
    pub items: Vec<Resolved>,
}

/// Parse and resolve a whole `pFileAddr` (`SSSEEF05|06|07|$SSSEEF06|08|09|$`, the occurrence form
/// `DF01EF15|40:02|`) before any card access: a syntax error, an EF or a tag the specs do not
/// have is [`Error::Path`]; the record form (`DF02EF07:01$`), a file without tags or an empty
/// address is [`Error::Usage`]. Nothing is sent to a card.
pub fn parse_file_address(addr: &str) -> Result<Vec<FileRequest>> {
    let names = addr.split('$').filter(|e| !e.trim().is_empty());
    let mut out = Vec::new();
    for (entry, parsed) in names.zip(parse_pfileaddr(addr)) {
        let fa = parsed?;
        let name = entry
            .split('|')
            .next()
            .unwrap_or_default()
            .trim()
            .to_string();
        if fa.record.is_some() {
            return Err(Error::Usage(format!(
                "pFileAddr {name}: the record form is not supported by iReadCard here"
            )));
        }
        let items = fa
            .item_paths()
            .map(|p| Ok(p?.resolve()?))
            .collect::<Result<Vec<_>>>()?;
        if items.is_empty() {
            return Err(Error::Usage(format!("pFileAddr {name}: no tag")));
        }
        out.push(FileRequest { name, items });
    }
    if out.is_empty() {
        return Err(Error::Usage("pFileAddr names no file".into()));
    }
    Ok(out)
}

/// A value as one field of the `iReadCard` output: `an`/`cn` text, `b` hex (as the model
/// decodes them), a B-TLV group as `TT=v;TT=v`; `|`, `$`, `;` and `=` inside a value (which
/// would break the format) become spaces.
pub fn field_text(v: &Value) -> String {
    match v {
        Value::Text(s) => s.replace(['|', '$', ';', '='], " "),
        Value::Group(items) => items
            .iter()
            .map(|(t, v)| format!("{t}={}", field_text(v)))
            .collect::<Vec<_>>()
            .join(";"),
    }
}

/// The `iReadCard` pOutInfo of `files`, with `value` giving each item (`None`: the card does not
/// hold it, an empty field): the address mirrored with values in place of tags,
/// `SSSEEF05|<05>|<07>|$SSSEEF06|<08>|<09>|$`.
pub fn read_card_output(
    files: &[FileRequest],
    mut value: impl FnMut(&Resolved) -> Result<Option<Value>>,
) -> Result<String> {
    let mut out = String::new();
    for f in files {
        out.push_str(&f.name);
        out.push('|');
        for r in &f.items {
            if let Some(v) = value(r)? {
                out.push_str(&field_text(&v));
            }
            out.push('|');
        }
        out.push('$');
    }
    Ok(out)
}

/// `iReadCard` on an open session: read every item of `files` (parsed by
/// [`parse_file_address`]) under the card's current security state and return pOutInfo.
pub fn read_card<T: Transport>(session: &mut Session<T>, files: &[FileRequest]) -> Result<String> {
    read_card_output(files, |r| {
        let Some(tag) = r.item.map(|i| i.tag) else {
            return Ok(None);
        };
        let Some(bytes) = session.read_item_bytes(r)? else {
            return Ok(None);
        };
        let item = ItemValue::decode(r.ef, tag, r.occurrence, &bytes, session.version())?;
        Ok(Some(item.value))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_addresses_are_resolved_before_any_card_access() {
        let f = parse_file_address("SSSEEF05|07|$SSSEEF06|08|09|$").unwrap();
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].name, "SSSEEF05");
        assert_eq!(f[1].items.len(), 2);
        assert_eq!(f[1].items[1].item.map(|i| i.tag), Some(0x09));
        let regional = parse_file_address("MFEF05|07|$").unwrap();
        assert_eq!(regional[0].name, "MFEF05");
        for bad in [
            "",
            "$",
            "XXEF05|07|$",
            "SSSEEF05|ZZ|$",
            "SSSEEF05|77|$",
            "../EF05|07|$",
        ] {
            assert!(parse_file_address(bad).is_err(), "{bad:?}");
        }
        assert!(matches!(
            parse_file_address("SSSEEF05|$"),
            Err(Error::Usage(_))
        ));
        assert!(matches!(
            parse_file_address("DF04EF08:01$"),
            Err(Error::Usage(_))
        ));
    }

    #[test]
    fn the_output_mirrors_the_address() {
        let f = parse_file_address("SSSEEF05|07|$SSSEEF06|08|09|$").unwrap();
        let out = read_card_output(&f, |r| {
            Ok(match r.item.map(|i| i.tag) {
                Some(0x07) => Some(Value::Text("A00000011".into())),
                Some(0x08) => None,
                _ => Some(Value::Text("王|小明".into())),
            })
        })
        .unwrap();
        assert_eq!(out, "SSSEEF05|A00000011|$SSSEEF06||王 小明|$");
        let g = Value::Group(vec![
            ("01".into(), Value::Text("a".into())),
            ("02".into(), Value::Text("b=c".into())),
        ]);
        assert_eq!(field_text(&g), "01=a;02=b c");
    }
}
