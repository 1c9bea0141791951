//! Status words (SW1 SW2) with the names and meanings of sscard-spec.md §4.

use core::fmt;

/// A status word `SW1 SW2` as a big-endian `u16` (`0x9000`).
///
/// Unknown values are fine: the named constants cover every SW of the social security card command
/// set, and the families `61xx`, `63Cx`, `6Cxx` have constructors and accessors.
///
/// ```
/// use sscard_apdu::StatusWord;
/// let sw = StatusWord::new(0x69, 0x82);
/// assert_eq!(sw, StatusWord::SECURITY_NOT_SATISFIED);
/// assert_eq!(sw.to_string(), "6982 (security status not satisfied)");
/// assert_eq!(StatusWord::pin_failed(2).tries_left(), Some(2));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StatusWord(pub u16);

impl StatusWord {
    /// `9000` success.
    pub const OK: Self = Self(0x9000);
    /// `6100` more data available (SW2 = number of bytes, 00 = 256 or more); see [`Self::more_data`].
    pub const MORE_DATA: Self = Self(0x6100);
    /// `6281` part of the returned data may be corrupted.
    pub const DATA_MAY_BE_CORRUPTED: Self = Self(0x6281);
    /// `6282` end of file or record reached before reading Ne bytes.
    pub const END_OF_FILE: Self = Self(0x6282);
    /// `6283` selected file invalidated (also: application temporarily blocked, answered to SELECT).
    pub const SELECTED_FILE_INVALIDATED: Self = Self(0x6283);
    /// `63C0` verification failed, no tries left; see [`Self::pin_failed`].
    pub const PIN_FAILED: Self = Self(0x63C0);
    /// `6400` execution error, non-volatile memory unchanged.
    pub const EXECUTION_ERROR: Self = Self(0x6400);
    /// `6581` memory failure.
    pub const MEMORY_FAILURE: Self = Self(0x6581);
    /// `6700` wrong length.
    pub const WRONG_LENGTH: Self = Self(0x6700);
    /// `6C00` wrong Le (SW2 = exact length); see [`Self::wrong_le`].
    pub const WRONG_LE: Self = Self(0x6C00);
    /// `6981` command incompatible with file structure.
    pub const INCOMPATIBLE_FILE_STRUCTURE: Self = Self(0x6981);
    /// `6982` security status not satisfied.
    pub const SECURITY_NOT_SATISFIED: Self = Self(0x6982);
    /// `6983` authentication method (key / PIN) blocked.
    pub const AUTH_BLOCKED: Self = Self(0x6983);
    /// `6984` reference data invalid (e.g. no preceding GET CHALLENGE).
    pub const REF_DATA_INVALID: Self = Self(0x6984);
    /// `6985` conditions of use not satisfied.
    pub const CONDITIONS_NOT_SATISFIED: Self = Self(0x6985);
    /// `6986` command not allowed (no current EF).
    pub const COMMAND_NOT_ALLOWED: Self = Self(0x6986);
    /// `6987` expected secure-messaging data objects missing.
    pub const SM_MISSING: Self = Self(0x6987);
    /// `6988` secure-messaging data object (MAC) incorrect.
    pub const SM_INCORRECT: Self = Self(0x6988);
    /// `6A80` incorrect data field.
    pub const WRONG_DATA: Self = Self(0x6A80);
    /// `6A81` function not supported (also: application or card blocked).
    pub const FUNC_NOT_SUPPORTED: Self = Self(0x6A81);
    /// `6A82` file not found (or bad SFI).
    pub const FILE_NOT_FOUND: Self = Self(0x6A82);
    /// `6A83` record not found.
    pub const RECORD_NOT_FOUND: Self = Self(0x6A83);
    /// `6A84` not enough memory space in the file.
    pub const NOT_ENOUGH_MEMORY: Self = Self(0x6A84);
    /// `6A85` Nc inconsistent with TLV structure.
    pub const TLV_INCONSISTENT: Self = Self(0x6A85);
    /// `6A86` incorrect P1/P2.
    pub const WRONG_P1P2: Self = Self(0x6A86);
    /// `6A87` Lc inconsistent with P1/P2.
    pub const LC_INCONSISTENT: Self = Self(0x6A87);
    /// `6A88` referenced data (key) not found.
    pub const KEY_NOT_FOUND: Self = Self(0x6A88);
    /// `6B00` wrong parameters P1/P2 (offset outside the EF).
    pub const WRONG_P1P2_6B00: Self = Self(0x6B00);
    /// `6D00` instruction not supported.
    pub const INS_NOT_SUPPORTED: Self = Self(0x6D00);
    /// `6E00` class not supported.
    pub const CLA_NOT_SUPPORTED: Self = Self(0x6E00);
    /// `6F00` no precise diagnosis.
    pub const NO_PRECISE_DIAGNOSIS: Self = Self(0x6F00);
    /// `9302` MAC invalid (purchase).
    pub const MAC_INVALID: Self = Self(0x9302);
    /// `9303` application permanently blocked.
    pub const APP_PERMANENTLY_BLOCKED: Self = Self(0x9303);
    /// `9401` insufficient balance (PBOC-style purchase).
    pub const INSUFFICIENT_BALANCE: Self = Self(0x9401);
    /// `9403` key index not supported (purchase).
    pub const KEY_INDEX_UNSUPPORTED: Self = Self(0x9403);
    /// `9406` the MAC/TAC asked for is not available (GET TRANSACTION PROVE).
    pub const MAC_TAC_UNAVAILABLE: Self = Self(0x9406);

    /// Builds a status word from SW1 and SW2.
    pub const fn new(sw1: u8, sw2: u8) -> Self {
        Self(u16::from_be_bytes([sw1, sw2]))
    }

    /// `61xx`: `n` more bytes available through GET RESPONSE (0 = 256 or more).
    pub const fn more_data(n: u8) -> Self {
        Self::new(0x61, n)
    }

    /// `6Cxx`: wrong Le, resend with Le = `n` (0 = 256).
    pub const fn wrong_le(n: u8) -> Self {
        Self::new(0x6C, n)
    }

    /// `63Cx`: verification failed, `tries` left (only the low nibble is kept).
    pub const fn pin_failed(tries: u8) -> Self {
        Self::new(0x63, 0xC0 | (tries & 0x0F))
    }

    /// SW1.
    pub const fn sw1(&self) -> u8 {
        self.0.to_be_bytes()[0]
    }

    /// SW2.
    pub const fn sw2(&self) -> u8 {
        self.0.to_be_bytes()[1]
    }

    /// `[SW1, SW2]` as sent on the wire.
    pub const fn to_bytes(&self) -> [u8; 2] {
        self.0.to_be_bytes()
    }

    /// Reads a status word from `[SW1, SW2]`.
    pub const fn from_bytes(b: [u8; 2]) -> Self {
        Self(u16::from_be_bytes(b))
    }

    /// `true` for `9000` and `61xx` (command completed, possibly with more data pending).
    pub const fn is_success(&self) -> bool {
        self.0 == 0x9000 || self.sw1() == 0x61
    }

    /// `true` for warnings `62xx` / `63xx` (processing completed with a warning).
    pub const fn is_warning(&self) -> bool {
        matches!(self.sw1(), 0x62 | 0x63)
    }

    /// For `63Cx`, the number of verification tries left (`x`).
    pub const fn tries_left(&self) -> Option<u8> {
        if self.0 & 0xFFF0 == 0x63C0 {
            Some(self.sw2() & 0x0F)
        } else {
            None
        }
    }

    /// For `61xx`, the number of bytes available (00 means 256).
    pub const fn bytes_available(&self) -> Option<u16> {
        if self.sw1() == 0x61 {
            Some(len_from_sw2(self.sw2()))
        } else {
            None
        }
    }

    /// For `6Cxx`, the exact Le the card expects (00 means 256).
    pub const fn exact_le(&self) -> Option<u16> {
        if self.sw1() == 0x6C {
            Some(len_from_sw2(self.sw2()))
        } else {
            None
        }
    }

    /// The error-code convention of the national read-card interface (sscard-spec.md §6.3):
    /// `0` for success, otherwise `-(SW1SW2)` as a signed integer (`6982` → `-27010`).
    pub const fn national_error_code(&self) -> i32 {
        if self.0 == 0x9000 {
            0
        } else {
            -(self.0 as i32)
        }
    }

    /// Short English description (families `61xx`, `63Cx`, `6Cxx` described generically).
    pub const fn description(&self) -> &'static str {
        self.descriptions().0
    }

    /// Short Chinese description, e.g. `6982` → "安全状态不满足".
    pub const fn description_zh(&self) -> &'static str {
        self.descriptions().1
    }

    const fn descriptions(&self) -> (&'static str, &'static str) {
        match self.0 {
            0x9000 => ("success", "成功"),
            0x6281 => (
                "part of returned data may be corrupted",
                "回送的数据可能有错",
            ),
            0x6282 => ("end of file reached before Ne bytes", "文件长度小于Le"),
            0x6283 => ("selected file invalidated", "选择的文件无效"),
            0x6400 => (
                "execution error, memory unchanged",
                "执行出错，存储内容未变",
            ),
            0x6581 => ("memory failure", "内存失败"),
            0x6700 => ("wrong length", "长度错误"),
            0x6981 => (
                "command incompatible with file structure",
                "命令与文件结构不相容",
            ),
            0x6982 => ("security status not satisfied", "安全状态不满足"),
            0x6983 => ("authentication method blocked", "认证方法锁定"),
            0x6984 => ("reference data invalid", "引用数据无效"),
            0x6985 => ("conditions of use not satisfied", "使用条件不满足"),
            0x6986 => ("command not allowed", "不满足命令执行的条件"),
            0x6987 => (
                "expected secure-messaging data missing",
                "安全报文数据项丢失",
            ),
            0x6988 => ("secure-messaging data incorrect", "安全报文数据项不正确"),
            0x6A80 => ("incorrect data field", "数据域参数不正确"),
            0x6A81 => ("function not supported", "功能不支持"),
            0x6A82 => ("file not found", "未找到文件"),
            0x6A83 => ("record not found", "未找到记录"),
            0x6A84 => ("not enough memory space in the file", "文件中存储空间不够"),
            0x6A85 => ("Nc inconsistent with TLV structure", "Lc与TLV结构不一致"),
            0x6A86 => ("incorrect P1/P2", "参数P1、P2不正确"),
            0x6A87 => ("Lc inconsistent with P1/P2", "Lc与P1、P2不一致"),
            0x6A88 => ("referenced data (key) not found", "未找到引用数据（密钥）"),
            0x6B00 => ("wrong parameters P1/P2", "参数错误（偏移地址超出EF）"),
            0x6D00 => ("instruction not supported", "命令不存在"),
            0x6E00 => ("class not supported", "CLA错误"),
            0x6F00 => ("no precise diagnosis", "数据无效（无精确诊断）"),
            0x9302 => ("MAC invalid", "MAC无效"),
            0x9303 => ("application permanently blocked", "应用已被永久锁定"),
            0x9401 => ("insufficient balance", "金额不足"),
            0x9403 => ("key index not supported", "密钥索引不支持"),
            0x9406 => ("MAC/TAC not available", "所需MAC/TAC不可用"),
            _ => match self.sw1() {
                0x61 => ("more data available", "还有数据可返回"),
                0x63 if self.sw2() & 0xF0 == 0xC0 => ("verification failed", "校验失败"),
                0x6C => ("wrong Le", "Le长度错误"),
                0x62 | 0x63 => ("warning", "警告"),
                0x64..=0x66 => ("execution error", "执行出错"),
                0x67 => ("wrong length", "长度错误"),
                0x68 => ("function in CLA not supported", "CLA中的功能不支持"),
                0x69 => ("command not allowed", "命令不允许"),
                0x6A => ("wrong parameters", "参数错误"),
                _ => ("unknown status", "未知状态"),
            },
        }
    }
}

const fn len_from_sw2(sw2: u8) -> u16 {
    if sw2 == 0 {
        256
    } else {
        sw2 as u16
    }
}

impl From<u16> for StatusWord {
    fn from(v: u16) -> Self {
        Self(v)
    }
}

impl From<StatusWord> for u16 {
    fn from(sw: StatusWord) -> Self {
        sw.0
    }
}

impl From<[u8; 2]> for StatusWord {
    fn from(b: [u8; 2]) -> Self {
        Self::from_bytes(b)
    }
}

impl fmt::Debug for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StatusWord({:04X})", self.0)
    }
}

/// `"6982 (security status not satisfied)"`; the families add their parameter:
/// `"63C2 (verification failed, 2 tries left)"`, `"6110 (more data available, 16 bytes)"`.
impl fmt::Display for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04X} ({}", self.0, self.description())?;
        if let Some(n) = self.tries_left() {
            write!(f, ", {n} tries left")?;
        } else if let Some(n) = self.bytes_available() {
            write!(f, ", {n} bytes")?;
        } else if let Some(n) = self.exact_le() {
            write!(f, ", expected {n}")?;
        }
        f.write_str(")")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_and_parts() {
        let sw = StatusWord::new(0x69, 0x82);
        assert_eq!(sw.0, 0x6982);
        assert_eq!(sw.sw1(), 0x69);
        assert_eq!(sw.sw2(), 0x82);
        assert_eq!(sw.to_bytes(), [0x69, 0x82]);
        assert_eq!(StatusWord::from([0x90, 0x00]), StatusWord::OK);
        assert_eq!(u16::from(StatusWord::OK), 0x9000);
    }

    #[test]
    fn families() {
        assert_eq!(StatusWord::more_data(0x10), StatusWord(0x6110));
        assert_eq!(StatusWord::wrong_le(8), StatusWord(0x6C08));
        assert_eq!(StatusWord::pin_failed(2), StatusWord(0x63C2));
        assert_eq!(StatusWord::pin_failed(0x12), StatusWord(0x63C2));
        assert_eq!(StatusWord(0x63C2).tries_left(), Some(2));
        assert_eq!(StatusWord(0x63C0).tries_left(), Some(0));
        assert_eq!(StatusWord(0x6300).tries_left(), None);
        assert_eq!(StatusWord::OK.tries_left(), None);
        assert_eq!(StatusWord::more_data(0).bytes_available(), Some(256));
        assert_eq!(StatusWord::wrong_le(8).exact_le(), Some(8));
        assert_eq!(StatusWord::OK.exact_le(), None);
    }

    #[test]
    fn success() {
        assert!(StatusWord::OK.is_success());
        assert!(StatusWord::more_data(5).is_success());
        assert!(!StatusWord::SECURITY_NOT_SATISFIED.is_success());
        assert!(!StatusWord::wrong_le(5).is_success());
        assert!(StatusWord::pin_failed(1).is_warning());
        assert!(StatusWord::END_OF_FILE.is_warning());
    }

    #[test]
    fn descriptions() {
        assert_eq!(
            StatusWord::SECURITY_NOT_SATISFIED.description(),
            "security status not satisfied"
        );
        assert_eq!(
            StatusWord::SECURITY_NOT_SATISFIED.description_zh(),
            "安全状态不满足"
        );
        assert_eq!(StatusWord::FILE_NOT_FOUND.description_zh(), "未找到文件");
        assert_eq!(StatusWord(0x1234).description(), "unknown status");
        // every named constant has its own description
        for sw in [
            0x9000u16, 0x6281, 0x6282, 0x6283, 0x6581, 0x6700, 0x6981, 0x6982, 0x6983, 0x6984,
            0x6985, 0x6986, 0x6988, 0x6A80, 0x6A81, 0x6A82, 0x6A83, 0x6A84, 0x6A86, 0x6A87, 0x6A88,
            0x6B00, 0x6D00, 0x6E00, 0x6F00, 0x9302, 0x9303, 0x9401, 0x9403, 0x9406,
        ] {
            let sw = StatusWord(sw);
            assert_ne!(sw.description(), "unknown status", "{sw:?}");
            assert_ne!(sw.description_zh(), "未知状态", "{sw:?}");
        }
    }

    #[test]
    fn display() {
        assert_eq!(
            StatusWord::SECURITY_NOT_SATISFIED.to_string(),
            "6982 (security status not satisfied)"
        );
        assert_eq!(
            StatusWord::pin_failed(2).to_string(),
            "63C2 (verification failed, 2 tries left)"
        );
        assert_eq!(
            StatusWord::more_data(0x10).to_string(),
            "6110 (more data available, 16 bytes)"
        );
        assert_eq!(
            StatusWord::wrong_le(8).to_string(),
            "6C08 (wrong Le, expected 8)"
        );
        assert_eq!(format!("{:?}", StatusWord::OK), "StatusWord(9000)");
    }

    #[test]
    fn national_code() {
        assert_eq!(
            StatusWord::SECURITY_NOT_SATISFIED.national_error_code(),
            -27010
        );
        assert_eq!(StatusWord::OK.national_error_code(), 0);
    }
}
