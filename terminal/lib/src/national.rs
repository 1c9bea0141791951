//! Output strings of the national read-card interface (sscard-spec.md §6.2), so integrators
//! that parse `iReadCardBas` output can switch to sscard without changing their parsers.

use crate::model::BasicInfo;

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
