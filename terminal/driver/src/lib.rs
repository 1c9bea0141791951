//! `libSSCardDriver` — the national read-card interface (sscard-spec.md §6) as a drop-in C
//! library over the sscard terminal library: `long f(int iType, char* …)`, `__stdcall` on 32-bit
//! Windows (`extern "system"`), C elsewhere; header `include/SSCardDriver.h`. The national logic
//! is `sscard_terminal::national`; this crate only converts strings, bounds the writes into the
//! caller's buffers, catches panics and keeps the pending HSM step.
//!
//! Every function returns 0 or a negative code of the national table
//! ([`sscard_terminal::national::error`]), and on failure writes `错误码 <code>: <message>` into
//! its output buffer. Outputs are GBK (`encoding = "utf-8"` switches). The largest write into
//! each output buffer, NUL included, is the `*_OUT_MAX` constant of the function ([`BAS_OUT_MAX`]
//! etc.); a NULL output pointer returns −14 and writes nothing, a NULL input −14 with the message.
//!
//! Configuration: [`host::config_path`] and `sscard_terminal::national::config`.
#![allow(non_snake_case)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod host;

use std::ffi::{c_char, c_int, c_long};

use sscard_terminal::national::{self, hsm, NationalError};

use crate::host::entry;

/// Output buffer bytes written at most by `iReadCardBas` / `iReadCardBas_HSM_Step2` /
/// `ReadCardBas`, NUL included (the smallest caller buffer seen is 256).
pub const BAS_OUT_MAX: usize = 256;
/// … by the HSM Step1 functions and `iReloadPIN_HSM_Step2` / `iUnblockPIN_HSM_Step2`.
pub const HSM_OUT_MAX: usize = 256;
/// … by `iReadCard`, `iWriteCard` and their HSM Step2 (a longer result is refused with −14).
pub const FILE_OUT_MAX: usize = 2048;
/// … by the PIN functions and the last HSM steps (empty on success; the message on failure).
pub const PIN_OUT_MAX: usize = 256;
/// … by `iDoDebit` (six short fields).
pub const DEBIT_OUT_MAX: usize = 256;
/// … by `iReadDebitRecord` (30 records of at most ~80 bytes).
pub const RECORD_OUT_MAX: usize = 4096;

/// An exported entry point `long $name(int $int…, char* $input…, char* $out)`: its string
/// inputs are decoded ([`host::Call::arg`]: NULL or not valid text → −14) before `$body` runs in
/// [`entry`] with the call `$c`; the output goes into `$out`, at most `$max` bytes (NUL
/// included).
macro_rules! entry_point {
    (
        $(#[$doc:meta])*
        fn $name:ident($($int:ident),*; $($input:ident),*) -> $out:ident[$max:ident]
        |$c:ident| $body:block
    ) => {
        $(#[$doc])*
        ///
        /// # Safety
        #[doc = concat!(
            "String inputs NULL or NUL-terminated; `", stringify!($out), "` NULL or [`",
            stringify!($max), "`] bytes."
        )]
        #[no_mangle]
        pub unsafe extern "system" fn $name(
            $($int: c_int,)*
            $($input: *const c_char,)*
            $out: *mut c_char,
        ) -> c_long {
            entry(stringify!($name), $out, $max - 1, |$c| {
                // SAFETY: the caller's strings, per this function's contract.
                $(let $input = unsafe { $c.arg($input, stringify!($input))? };)*
                $body
            })
        }
    };
}

entry_point! {
    /// `long iReadCardBas(int iType, char* pOutInfo)`: basic information in PSAM mode.
    fn iReadCardBas(iType;) -> pOutInfo[BAS_OUT_MAX] |c| {
        national::read_card_bas(&mut c.device, iType)
    }
}

entry_point! {
    /// `long iReadCard(int iType, int iAuthType, char* pCardInfo, char* pFileAddr, char* pOutInfo)`.
    fn iReadCard(iType, iAuthType; pCardInfo, pFileAddr) -> pOutInfo[FILE_OUT_MAX] |c| {
        national::read_card(&mut c.device, iType, iAuthType, &pCardInfo, &pFileAddr)
    }
}

entry_point! {
    /// `long iWriteCard(int iType, char* pCardInfo, char* pFileAddr, char* pWriteData, char* pOutInfo)`.
    fn iWriteCard(iType; pCardInfo, pFileAddr, pWriteData) -> pOutInfo[FILE_OUT_MAX] |c| {
        national::write_card(&mut c.device, iType, &pCardInfo, &pFileAddr, &pWriteData)
    }
}

entry_point! {
    /// `long iVerifyPIN(int iType, char* pOutInfo)`: the PIN from the PIN pad / PIN-entry program.
    fn iVerifyPIN(iType;) -> pOutInfo[PIN_OUT_MAX] |c| {
        national::verify_pin(&mut c.device, iType)
    }
}

entry_point! {
    /// `long iChangePIN(int iType, char* pOutInfo)`.
    fn iChangePIN(iType;) -> pOutInfo[PIN_OUT_MAX] |c| {
        national::change_pin(&mut c.device, iType)
    }
}

entry_point! {
    /// `long iReloadPIN(int iType, char* pCardInfo, char* pOutInfo)`; pCardInfo = `卡识别码|卡号|`.
    fn iReloadPIN(iType; pCardInfo) -> pOutInfo[PIN_OUT_MAX] |c| {
        national::reload_pin(&mut c.device, iType, &pCardInfo)
    }
}

entry_point! {
    /// `long iUnblockPIN(int iType, char* pCardInfo, char* pOutInfo)`.
    fn iUnblockPIN(iType; pCardInfo) -> pOutInfo[PIN_OUT_MAX] |c| {
        national::unblock_pin(&mut c.device, iType, &pCardInfo)
    }
}

entry_point! {
    /// `long iDoDebit(int iType, char* pCardInfo, char* pPayInfo, char* pOutInfo)`: the DF04
    /// medical settlement through the PSAM (`sscard_terminal::national::do_debit`).
    fn iDoDebit(iType; pCardInfo, pPayInfo) -> pOutInfo[DEBIT_OUT_MAX] |c| {
        national::do_debit(&mut c.device, iType, &pCardInfo, &pPayInfo)
    }
}

entry_point! {
    /// `long iReadDebitRecord(int iType, char* pOutInfo)`: the DF04 transaction log.
    fn iReadDebitRecord(iType;) -> pOutInfo[RECORD_OUT_MAX] |c| {
        national::read_debit_record(&mut c.device, iType)
    }
}

fn step1(
    c: &mut host::Call,
    r: Result<(String, hsm::HsmPending), NationalError>,
) -> Result<String, NationalError> {
    let (out, p) = r?;
    c.set_pending(Some(p));
    Ok(out)
}

/// The next step of the pending HSM operation of `function`, with the caller's `key`.
fn next_step(c: &mut host::Call, function: &str, key: &str) -> Result<String, NationalError> {
    let p = c.take_pending()?;
    let (out, next) = hsm::step(&mut c.device, function, p, key)?;
    c.set_pending(next);
    Ok(out)
}

entry_point! {
    /// `long iReadCardBas_HSM_Step1(int iType, char* pOutInfo)`.
    fn iReadCardBas_HSM_Step1(iType;) -> pOutInfo[HSM_OUT_MAX] |c| {
        let fields = c.device.config().step1_fields()?;
        let r = hsm::read_card_bas_step1(&mut c.device, iType, fields);
        step1(c, r)
    }
}

entry_point! {
    /// `long iReadCardBas_HSM_Step2(char* pKey, char* pOutInfo)`.
    fn iReadCardBas_HSM_Step2(; pKey) -> pOutInfo[BAS_OUT_MAX] |c| {
        next_step(c, "iReadCardBas", &pKey)
    }
}

entry_point! {
    /// `long iReadCard_HSM_Step1(int iType, char* pCardInfo, char* pFileAddr, char* pOutInfo)`.
    fn iReadCard_HSM_Step1(iType; pCardInfo, pFileAddr) -> pOutInfo[HSM_OUT_MAX] |c| {
        let r = hsm::read_card_step1(&mut c.device, iType, &pCardInfo, &pFileAddr);
        step1(c, r)
    }
}

entry_point! {
    /// `long iReadCard_HSM_Step2(char* pKey, char* pOutInfo)`.
    fn iReadCard_HSM_Step2(; pKey) -> pOutInfo[FILE_OUT_MAX] |c| {
        next_step(c, "iReadCard", &pKey)
    }
}

entry_point! {
    /// `long iWriteCard_HSM_Step1(int iType, char* pCardInfo, char* pFileAddr, char* pWriteData, char* pOutInfo)`.
    fn iWriteCard_HSM_Step1(iType; pCardInfo, pFileAddr, pWriteData) -> pOutInfo[HSM_OUT_MAX] |c| {
        let r = hsm::write_card_step1(&mut c.device, iType, &pCardInfo, &pFileAddr, &pWriteData);
        step1(c, r)
    }
}

entry_point! {
    /// `long iWriteCard_HSM_Step2(char* pKey, char* pOutInfo)`.
    fn iWriteCard_HSM_Step2(; pKey) -> pOutInfo[FILE_OUT_MAX] |c| {
        next_step(c, "iWriteCard", &pKey)
    }
}

entry_point! {
    /// `long iDoDebit_HSM_Step1(int iType, char* pCardInfo, char* pPayInfo, char* pOutInfo)`:
    /// the MAC1 request for the HSM (`sscard_terminal::national::hsm`).
    fn iDoDebit_HSM_Step1(iType; pCardInfo, pPayInfo) -> pOutInfo[HSM_OUT_MAX] |c| {
        let r = hsm::do_debit_step1(&mut c.device, iType, &pCardInfo, &pPayInfo);
        step1(c, r)
    }
}

entry_point! {
    /// `long iDoDebit_HSM_Step2(char* pKey, char* pOutInfo)`: pKey = `终端交易序号|交易时间|MAC1|`.
    fn iDoDebit_HSM_Step2(; pKey) -> pOutInfo[DEBIT_OUT_MAX] |c| {
        next_step(c, "iDoDebit", &pKey)
    }
}

/// The three HSM functions of a PIN operation `$name` whose Step1 is `$f`.
macro_rules! pin_hsm {
    ($step1:ident, $step2:ident, $step3:ident, $name:literal, $f:path) => {
        entry_point! {
            /// HSM Step1: `long f(int iType, char* pCardInfo, char* pOutInfo)`.
            fn $step1(iType; pCardInfo) -> pOutInfo[HSM_OUT_MAX] |c| {
                let r = $f(&mut c.device, iType, &pCardInfo);
                step1(c, r)
            }
        }

        entry_point! {
            /// HSM Step2: `long f(char* pKey, char* pOutInfo)` — the MAC request for the HSM.
            fn $step2(; pKey) -> pOutInfo[HSM_OUT_MAX] |c| {
                next_step(c, $name, &pKey)
            }
        }

        entry_point! {
            /// HSM Step3: `long f(char* pKey, char* pOutInfo)` — the MAC'd command.
            fn $step3(; pKey) -> pOutInfo[PIN_OUT_MAX] |c| {
                next_step(c, $name, &pKey)
            }
        }
    };
}

pin_hsm!(
    iReloadPIN_HSM_Step1,
    iReloadPIN_HSM_Step2,
    iReloadPIN_HSM_Step3,
    "iReloadPIN",
    hsm::reload_pin_step1
);
pin_hsm!(
    iUnblockPIN_HSM_Step1,
    iUnblockPIN_HSM_Step2,
    iUnblockPIN_HSM_Step3,
    "iUnblockPIN",
    hsm::unblock_pin_step1
);

// ------------------------------------------------------------ the medical-insurance façade

entry_point! {
    /// `long Init(char* pInitInfo, char* pErrMsg)` (HeaSecReadInfo style, integrators.md §2.1):
    /// pInitInfo is the platform's JSON (IP, PORT, …; accepted and not used: sscard reads the card
    /// locally). Returns 0, or −14 with a message when pInitInfo is not a JSON object.
    fn Init(; pInitInfo) -> pErrMsg[PIN_OUT_MAX] |c| {
        match serde_json::from_str::<serde_json::Value>(&pInitInfo) {
            Ok(serde_json::Value::Object(_)) => Ok(String::new()),
            _ => Err(NationalError::BadParameter(
                "pInitInfo is not a JSON object".into(),
            )),
        }
    }
}

/// `long ReadCardBas(char* pCardInfo, char* pBusiCardInfo)`: pCardInfo = the 11-field
/// `iReadCardBas` string (iType 3); pBusiCardInfo = "" — the 业务卡串 token is issued by the
/// national medical-insurance platform, not by a card reader.
///
/// # Safety
/// `pCardInfo` NULL or [`BAS_OUT_MAX`] bytes; `pBusiCardInfo` NULL or 1 byte.
#[no_mangle]
pub unsafe extern "system" fn ReadCardBas(
    pCardInfo: *mut c_char,
    pBusiCardInfo: *mut c_char,
) -> c_long {
    let code = entry("ReadCardBas", pCardInfo, BAS_OUT_MAX - 1, |c| {
        national::read_card_bas(&mut c.device, 3)
    });
    if !pBusiCardInfo.is_null() {
        // SAFETY: one byte, per contract.
        unsafe { *pBusiCardInfo = 0 };
    }
    code
}

entry_point! {
    /// `long VerifyPIN(char* pOutBuff)` (iType 3).
    fn VerifyPIN(;) -> pOutBuff[PIN_OUT_MAX] |c| {
        national::verify_pin(&mut c.device, 3)
    }
}

entry_point! {
    /// `long ChangePIN(char* pOutBuff)` (iType 3).
    fn ChangePIN(;) -> pOutBuff[PIN_OUT_MAX] |c| {
        national::change_pin(&mut c.device, 3)
    }
}
