//! Output strings of the national read-card interface (sscard-spec.md §6.2), so integrators
//! that parse `iReadCardBas` output can switch to sscard without changing their parsers; and the
//! text encoding of what goes into a caller's buffer (GBK like the national library, or UTF-8).

use encoding_rs::GBK;

use crate::model::BasicInfo;

/// Terminal numbers a PSAM would provide (empty without a PSAM).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TerminalIds {
    /// 终端机编号 (PSAM EF16 terminal number, 12 digits).
    pub terminal_no: String,
    /// 终端设备号 (device serial).
    pub device_no: String,
}

/// Longest 终端设备号 put into the output (characters beyond are cut).
pub const DEVICE_NO_MAX: usize = 32;

/// Largest `iReadCardBas` output in bytes, without the terminating NUL: a caller's 256-byte
/// buffer (the smallest seen, integrators.md §1.1) always holds it.
pub const READ_CARD_BAS_MAX: usize = 255;

/// A value as a field: `|` (the separator) and `$` (the file end of file addresses) and control
/// characters become spaces.
pub fn field(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c == '|' || c == '$' || c.is_control() {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// `iReadCardBas` pOutInfo: `区划代码|社会保障号码|卡号|卡识别码|姓名|卡复位信息|规范版本|发卡日期|
/// 卡有效期|终端机编号|终端设备号|` — every item followed by `|`. The region is the first 6
/// digits of the card identification code, the card number its first 9 characters, the name
/// EF06/09 ‖ EF06/4E, the reset information the ATR's historical bytes.
///
/// A `|` inside a value would break the format; it is replaced by a space. The device number is
/// cut to [`DEVICE_NO_MAX`] characters, so the string stays within [`READ_CARD_BAS_MAX`] bytes in
/// GBK (every other field has a bounded length on the card).
pub fn read_card_bas(info: &BasicInfo, terminal: &TerminalIds) -> String {
    let card_no: String = info.issuer.card_number.chars().take(9).collect();
    let device: String = terminal.device_no.chars().take(DEVICE_NO_MAX).collect();
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
        device.as_str(),
    ];
    join(fields)
}

/// Every field followed by `|`.
pub fn join<'a>(fields: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for f in fields {
        out.push_str(&f.replace('|', " "));
        out.push('|');
    }
    out
}

/// The text encoding of the strings exchanged with callers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Encoding {
    /// GBK, like the national library (and every caller that decodes with `Encoding.Default`
    /// on a Chinese Windows, or `simplifiedchinese.GBK`).
    #[default]
    Gbk,
    /// UTF-8, for new callers.
    Utf8,
}

impl Encoding {
    /// `gbk` / `utf-8` (also `utf8`, `gb18030` = GBK), case-insensitive.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "gbk" | "gb2312" | "gb18030" | "cp936" => Some(Encoding::Gbk),
            "utf-8" | "utf8" => Some(Encoding::Utf8),
            _ => None,
        }
    }

    /// `text` in this encoding (a character GBK cannot hold becomes `?`).
    pub fn encode(self, text: &str) -> Vec<u8> {
        match self {
            Encoding::Utf8 => text.as_bytes().to_vec(),
            Encoding::Gbk => {
                let mut out = Vec::with_capacity(text.len());
                let mut buf = [0u8; 4];
                for c in text.chars() {
                    let s = c.encode_utf8(&mut buf);
                    let (bytes, _, unmappable) = GBK.encode(s);
                    if unmappable {
                        out.push(b'?');
                    } else {
                        out.extend_from_slice(&bytes);
                    }
                }
                out
            }
        }
    }

    /// `text` encoded and cut to at most `max` bytes at a character boundary.
    pub fn encode_bounded(self, text: &str, max: usize) -> Vec<u8> {
        let mut out = Vec::new();
        for c in text.chars() {
            let mut buf = [0u8; 4];
            let b = self.encode(c.encode_utf8(&mut buf));
            if out.len() + b.len() > max {
                break;
            }
            out.extend_from_slice(&b);
        }
        out
    }

    /// Caller bytes as text; `None` when they are not valid in this encoding.
    pub fn decode(self, bytes: &[u8]) -> Option<String> {
        match self {
            Encoding::Utf8 => std::str::from_utf8(bytes).ok().map(str::to_owned),
            Encoding::Gbk => {
                let (s, had_errors) = GBK.decode_without_bom_handling(bytes);
                (!had_errors).then(|| s.into_owned())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_and_utf8() {
        assert_eq!(
            Encoding::Gbk.encode("王小明|"),
            [0xCD, 0xF5, 0xD0, 0xA1, 0xC3, 0xF7, b'|']
        );
        assert_eq!(Encoding::Utf8.encode("王"), "王".as_bytes());
        assert_eq!(Encoding::Gbk.encode("😀a"), b"?a");
        assert_eq!(
            Encoding::Gbk.encode_bounded("王小明", 5),
            [0xCD, 0xF5, 0xD0, 0xA1]
        );
        assert_eq!(
            Encoding::Gbk.decode(&[0xCD, 0xF5, b'x']).as_deref(),
            Some("王x")
        );
        assert_eq!(Encoding::Utf8.decode(&[0xCD]), None);
        assert_eq!(Encoding::parse("UTF-8"), Some(Encoding::Utf8));
        assert_eq!(Encoding::parse("gbk"), Some(Encoding::Gbk));
        assert_eq!(Encoding::parse("latin1"), None);
        assert_eq!(field("a|b$c\n"), "a b c ");
    }
}
