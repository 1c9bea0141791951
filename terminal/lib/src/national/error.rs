//! [`NationalError`]: why a national-interface function failed, with its code from the national
//! error table (sscard-spec.md §6.3; integrators.md §1.2) and a readable message for `pOutInfo`.
//!
//! | code | meaning | when |
//! | --- | --- | --- |
//! | −2 | no card | the reader is empty, or the card was pulled during the call |
//! | −4 | no answer | the card or the link did not answer |
//! | −11 | reader connect error | no such reader, no readers, pcscd not running |
//! | −13 | unsupported | a function or form sscard does not implement |
//! | −14 | bad parameter | a null pointer, an iType outside 1–4, a malformed file address / HSM key / card info |
//! | −20 | bad card-id format | `pCardInfo`'s card identification code is not 32 hex digits |
//! | −21 | internal authentication failed | the card is not genuine (its answer differs from the PSAM's) |
//! | −22 | data does not match the card | `pCardInfo` names another card; a write not confirmed; card data malformed |
//! | −23 | illegal input | a file address naming an EF or tag the specs do not have |
//! | −24 | PSAM key level insufficient | the PSAM lacks the key (other than RKSSSE) |
//! | −25 | internal authentication disagrees with the HSM | HSM mode Step2 |
//! | −31 / −32 | PIN entry cancelled / timed out | the PIN pad or the PIN-entry program |
//! | −33 | bad PIN length | a PIN of fewer than 4 or more than 12 digits |
//! | −34 | PINs differ | the new PIN and its confirmation |
//! | −41 / −42 | bad data characters / length | `pWriteData` values |
//! | −51 | wrong PIN | VERIFY answered `63Cx` |
//! | −52 | PIN locked | `6983` |
//! | −2201 | no PSAM | no PSAM reader configured, or the PSAM does not answer |
//! | −2202 | PSAM lacks the algorithm | the PSAM's environment is not the card's (3DES / SM4) |
//! | −2203 | PSAM lacks RKSSSE | 3.00 card, PSAM without RKSSSE |
//! | −2204 | HSM not needed | `iReadCard_HSM_Step1` for files free to read |
//! | −(SW1·256+SW2) | the card's status word | e.g. −27010 for `6982`, −27272 for `6A88` |
//!
//! −2201, −2202, −2203, −27272 and −24 are what callers take as "use the HSM functions"
//! ([`NationalError::wants_hsm`]).

use sscard_specs::PathError;

use crate::error::Error;
use crate::security::psam::{self, PsamError};
use crate::transport::TransportError;

/// −(SW1·256+SW2) of `6A88` (key not found): callers fall back to HSM mode on it.
pub const KEY_NOT_FOUND_CODE: i64 = -0x6A88;

/// Why a national-interface call failed.
#[derive(Debug, thiserror::Error)]
pub enum NationalError {
    /// A parameter the function cannot use (null pointer, iType, malformed string).
    #[error("参数错误 (bad parameter): {0}")]
    BadParameter(String),
    /// A file address naming an EF or a tag the specs do not have.
    #[error("非法输入 (illegal input): {0}")]
    IllegalInput(String),
    /// `pCardInfo`'s card identification code is not 32 hex digits.
    #[error("卡识别码格式错误 (bad card identification code): {0}")]
    BadCardId(String),
    /// `pCardInfo` (or the card of an HSM Step1) is not the card in the reader.
    #[error("数据与卡不匹配 (data does not match the card): {0}")]
    Mismatch(String),
    /// A value of `pWriteData` with characters the item's type does not take.
    #[error("数据字符错误 (bad data characters): {0}")]
    BadDataChars(String),
    /// A value of `pWriteData` too long for its item.
    #[error("数据长度错误 (bad data length): {0}")]
    BadDataLength(String),
    /// The card's answer to INTERNAL AUTHENTICATE is not the PSAM's: not a genuine card.
    #[error("内部认证失败 (internal authentication failed: card not genuine)")]
    NotGenuine,
    /// HSM mode: the card's internal-authentication answer is not the HSM's.
    #[error("内部认证与加密机不一致 (internal authentication disagrees with the HSM)")]
    HsmMismatch,
    /// HSM mode was asked for an operation that needs no key.
    #[error("无需加密机 (HSM not needed: the files are free to read)")]
    HsmNotNeeded,
    /// No PSAM configured or it does not answer.
    #[error("没有PSAM卡 (no PSAM): {0}")]
    NoPsam(String),
    /// The PIN entry was cancelled.
    #[error("用户取消密码输入 (PIN entry cancelled)")]
    PinCancelled,
    /// The PIN entry timed out.
    #[error("密码输入超时 (PIN entry timed out)")]
    PinTimeout,
    /// The PIN entered is too short or too long.
    #[error("密码长度错误 (bad PIN length): {0}")]
    PinLength(String),
    /// The new PIN and its confirmation differ.
    #[error("两次输入的密码不一致 (the PINs differ)")]
    PinsDiffer,
    /// Something sscard does not implement.
    #[error("不支持 (unsupported): {0}")]
    Unsupported(String),
    /// The PSAM failed.
    #[error("PSAM: {0}")]
    Psam(#[from] PsamError),
    /// The terminal library failed (transport, card refusal, data...).
    #[error("{}", terminal_message(.0))]
    Terminal(#[from] Error),
}

impl From<TransportError> for NationalError {
    fn from(e: TransportError) -> Self {
        NationalError::Terminal(Error::Transport(e))
    }
}

impl From<PathError> for NationalError {
    fn from(e: PathError) -> Self {
        match e {
            PathError::UnknownEf | PathError::UnknownTag | PathError::OccurrenceOutOfRange => {
                NationalError::IllegalInput(format!("pFileAddr: {e}"))
            }
            _ => NationalError::BadParameter(format!("pFileAddr: {e}")),
        }
    }
}

/// The terminal error with the national table's wording in front.
fn terminal_message(e: &Error) -> String {
    let zh = match national_code_of(e) {
        -2 => "无卡 (no card)",
        -4 => "卡无应答 (no answer)",
        -11 => "读卡器连接错误 (reader connect error)",
        -22 => "数据与卡不匹配 (data does not match the card)",
        -51 => "密码错误 (wrong PIN)",
        -52 => "密码锁定 (PIN locked)",
        _ => "",
    };
    if zh.is_empty() {
        e.to_string()
    } else {
        format!("{zh}: {e}")
    }
}

fn national_code_of(e: &Error) -> i64 {
    match e {
        // No card in the reader at connect time.
        Error::Transport(TransportError::NoCard(_)) => -2,
        // The PC/SC service is the reader side.
        Error::Transport(TransportError::NoService) => -11,
        Error::Transport(TransportError::NoResponse(_)) => -2,
        other => i64::from(other.national_code()),
    }
}

impl NationalError {
    /// The national error code (always negative; see the module docs).
    pub fn code(&self) -> i64 {
        match self {
            NationalError::BadParameter(_) => -14,
            NationalError::IllegalInput(_) => -23,
            NationalError::BadCardId(_) => -20,
            NationalError::Mismatch(_) => -22,
            NationalError::BadDataChars(_) => -41,
            NationalError::BadDataLength(_) => -42,
            NationalError::NotGenuine => -21,
            NationalError::HsmMismatch => -25,
            NationalError::HsmNotNeeded => -2204,
            NationalError::NoPsam(_) => i64::from(psam::national::NO_PSAM),
            NationalError::PinCancelled => -31,
            NationalError::PinTimeout => -32,
            NationalError::PinLength(_) => -33,
            NationalError::PinsDiffer => -34,
            NationalError::Unsupported(_) => -13,
            NationalError::Psam(e) => i64::from(e.national_code()),
            NationalError::Terminal(e) => national_code_of(e),
        }
    }

    /// Whether callers should retry with the `*_HSM_Step1/Step2` functions: −2201, −2202,
    /// −2203, −27272 (`6A88`) or −24 (integrators.md §1.2).
    pub fn wants_hsm(&self) -> bool {
        matches!(
            self.code(),
            -2201 | -2202 | -2203 | -24 | KEY_NOT_FOUND_CODE
        )
    }

    /// The message for `pOutInfo`: `错误码 <code>: <message>`.
    pub fn message(&self) -> String {
        format!("错误码 {}: {self}", self.code())
    }
}

/// `Result` of the national functions.
pub type NationalResult<T> = std::result::Result<T, NationalError>;

#[cfg(test)]
mod tests {
    use super::*;
    use sscard_apdu::StatusWord;

    #[test]
    fn codes_follow_the_national_table() {
        let card = |sw| NationalError::Terminal(Error::refused("X", StatusWord(sw)));
        assert_eq!(card(0x6982).code(), -27010);
        assert_eq!(card(0x6A88).code(), -27272);
        assert!(card(0x6A88).wants_hsm());
        assert!(!card(0x6982).wants_hsm());
        assert_eq!(NationalError::NoPsam("x".into()).code(), -2201);
        assert!(NationalError::NoPsam("x".into()).wants_hsm());
        let psam = |e| NationalError::Psam(e);
        assert_eq!(
            psam(PsamError::KeyNotInPsam {
                name: sscard_specs::key::RKSSSE
            })
            .code(),
            -2203
        );
        assert_eq!(
            psam(PsamError::AlgorithmMismatch {
                psam: 1,
                expected: 3
            })
            .code(),
            -2202
        );
        assert_eq!(
            psam(PsamError::KeyNotInPsam {
                name: sscard_specs::key::PUK
            })
            .code(),
            -24
        );
        for c in [-2202, -2203, -24] {
            let e = match c {
                -2202 => psam(PsamError::AlgorithmMismatch {
                    psam: 1,
                    expected: 3,
                }),
                -2203 => psam(PsamError::KeyNotInPsam {
                    name: sscard_specs::key::RKSSSE,
                }),
                _ => psam(PsamError::KeyNotInPsam {
                    name: sscard_specs::key::PUK,
                }),
            };
            assert!(e.wants_hsm(), "{c}");
        }
        let t = |e| NationalError::from(e);
        assert_eq!(t(TransportError::NoCard("r".into())).code(), -2);
        assert_eq!(t(TransportError::CardRemoved).code(), -2);
        assert_eq!(t(TransportError::NoReader("r".into())).code(), -11);
        assert_eq!(t(TransportError::NoService).code(), -11);
        assert_eq!(t(TransportError::Timeout).code(), -4);
        assert_eq!(
            NationalError::Terminal(Error::WrongPin { tries_left: 2 }).code(),
            -51
        );
        assert_eq!(NationalError::Terminal(Error::Blocked).code(), -52);
        assert_eq!(NationalError::from(PathError::BadEf).code(), -14);
        assert_eq!(NationalError::from(PathError::UnknownTag).code(), -23);
        assert!(NationalError::NotGenuine
            .message()
            .starts_with("错误码 -21: "));
    }
}
