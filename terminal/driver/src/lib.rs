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

/// `long iReadCardBas(int iType, char* pOutInfo)`: basic information in PSAM mode.
///
/// # Safety
/// `pOutInfo` is NULL or holds [`BAS_OUT_MAX`] bytes.
#[no_mangle]
pub unsafe extern "system" fn iReadCardBas(iType: c_int, pOutInfo: *mut c_char) -> c_long {
    entry("iReadCardBas", pOutInfo, BAS_OUT_MAX - 1, |c| {
        national::read_card_bas(&mut c.device, iType)
    })
}

/// `long iReadCard(int iType, int iAuthType, char* pCardInfo, char* pFileAddr, char* pOutInfo)`.
///
/// # Safety
/// Inputs NULL or NUL-terminated; `pOutInfo` NULL or [`FILE_OUT_MAX`] bytes.
#[no_mangle]
pub unsafe extern "system" fn iReadCard(
    iType: c_int,
    iAuthType: c_int,
    pCardInfo: *const c_char,
    pFileAddr: *const c_char,
    pOutInfo: *mut c_char,
) -> c_long {
    entry("iReadCard", pOutInfo, FILE_OUT_MAX - 1, |c| {
        // SAFETY: the caller's strings, per this function's contract.
        let (info, addr) = unsafe {
            (
                c.arg(pCardInfo, "pCardInfo")?,
                c.arg(pFileAddr, "pFileAddr")?,
            )
        };
        national::read_card(&mut c.device, iType, iAuthType, &info, &addr)
    })
}

/// `long iWriteCard(int iType, char* pCardInfo, char* pFileAddr, char* pWriteData, char* pOutInfo)`.
///
/// # Safety
/// Inputs NULL or NUL-terminated; `pOutInfo` NULL or [`FILE_OUT_MAX`] bytes.
#[no_mangle]
pub unsafe extern "system" fn iWriteCard(
    iType: c_int,
    pCardInfo: *const c_char,
    pFileAddr: *const c_char,
    pWriteData: *const c_char,
    pOutInfo: *mut c_char,
) -> c_long {
    entry("iWriteCard", pOutInfo, FILE_OUT_MAX - 1, |c| {
        // SAFETY: the caller's strings, per this function's contract.
        let (info, addr, data) = unsafe {
            (
                c.arg(pCardInfo, "pCardInfo")?,
                c.arg(pFileAddr, "pFileAddr")?,
                c.arg(pWriteData, "pWriteData")?,
            )
        };
        national::write_card(&mut c.device, iType, &info, &addr, &data)
    })
}

/// `long iVerifyPIN(int iType, char* pOutInfo)`: the PIN from the PIN pad / PIN-entry program.
///
/// # Safety
/// `pOutInfo` NULL or [`PIN_OUT_MAX`] bytes.
#[no_mangle]
pub unsafe extern "system" fn iVerifyPIN(iType: c_int, pOutInfo: *mut c_char) -> c_long {
    entry("iVerifyPIN", pOutInfo, PIN_OUT_MAX - 1, |c| {
        national::verify_pin(&mut c.device, iType)
    })
}

/// `long iChangePIN(int iType, char* pOutInfo)`.
///
/// # Safety
/// `pOutInfo` NULL or [`PIN_OUT_MAX`] bytes.
#[no_mangle]
pub unsafe extern "system" fn iChangePIN(iType: c_int, pOutInfo: *mut c_char) -> c_long {
    entry("iChangePIN", pOutInfo, PIN_OUT_MAX - 1, |c| {
        national::change_pin(&mut c.device, iType)
    })
}

/// `long iReloadPIN(int iType, char* pCardInfo, char* pOutInfo)`; pCardInfo = `卡识别码|卡号|`.
///
/// # Safety
/// `pCardInfo` NULL or NUL-terminated; `pOutInfo` NULL or [`PIN_OUT_MAX`] bytes.
#[no_mangle]
pub unsafe extern "system" fn iReloadPIN(
    iType: c_int,
    pCardInfo: *const c_char,
    pOutInfo: *mut c_char,
) -> c_long {
    entry("iReloadPIN", pOutInfo, PIN_OUT_MAX - 1, |c| {
        // SAFETY: the caller's string.
        let info = unsafe { c.arg(pCardInfo, "pCardInfo")? };
        national::reload_pin(&mut c.device, iType, &info)
    })
}

/// `long iUnblockPIN(int iType, char* pCardInfo, char* pOutInfo)`.
///
/// # Safety
/// `pCardInfo` NULL or NUL-terminated; `pOutInfo` NULL or [`PIN_OUT_MAX`] bytes.
#[no_mangle]
pub unsafe extern "system" fn iUnblockPIN(
    iType: c_int,
    pCardInfo: *const c_char,
    pOutInfo: *mut c_char,
) -> c_long {
    entry("iUnblockPIN", pOutInfo, PIN_OUT_MAX - 1, |c| {
        // SAFETY: the caller's string.
        let info = unsafe { c.arg(pCardInfo, "pCardInfo")? };
        national::unblock_pin(&mut c.device, iType, &info)
    })
}

fn step1(
    c: &mut host::Call,
    r: Result<(String, hsm::HsmPending), NationalError>,
) -> Result<String, NationalError> {
    let (out, p) = r?;
    c.set_pending(Some(p));
    Ok(out)
}

/// The next step of the pending HSM operation of `function`.
///
/// # Safety
/// `pKey` NULL or NUL-terminated.
unsafe fn next_step(
    c: &mut host::Call,
    function: &str,
    pKey: *const c_char,
) -> Result<String, NationalError> {
    // SAFETY: the caller's string.
    let key = unsafe { c.arg(pKey, "pKey")? };
    let p = c.take_pending()?;
    let (out, next) = hsm::step(&mut c.device, function, p, &key)?;
    c.set_pending(next);
    Ok(out)
}

/// `long iReadCardBas_HSM_Step1(int iType, char* pOutInfo)`.
///
/// # Safety
/// `pOutInfo` NULL or [`HSM_OUT_MAX`] bytes.
#[no_mangle]
pub unsafe extern "system" fn iReadCardBas_HSM_Step1(
    iType: c_int,
    pOutInfo: *mut c_char,
) -> c_long {
    entry("iReadCardBas_HSM_Step1", pOutInfo, HSM_OUT_MAX - 1, |c| {
        let fields = c.device.config().step1_fields()?;
        let r = hsm::read_card_bas_step1(&mut c.device, iType, fields);
        step1(c, r)
    })
}

/// `long iReadCardBas_HSM_Step2(char* pKey, char* pOutInfo)`.
///
/// # Safety
/// `pKey` NULL or NUL-terminated; `pOutInfo` NULL or [`BAS_OUT_MAX`] bytes.
#[no_mangle]
pub unsafe extern "system" fn iReadCardBas_HSM_Step2(
    pKey: *const c_char,
    pOutInfo: *mut c_char,
) -> c_long {
    entry("iReadCardBas_HSM_Step2", pOutInfo, BAS_OUT_MAX - 1, |c| {
        // SAFETY: per contract.
        unsafe { next_step(c, "iReadCardBas", pKey) }
    })
}

/// `long iReadCard_HSM_Step1(int iType, char* pCardInfo, char* pFileAddr, char* pOutInfo)`.
///
/// # Safety
/// Inputs NULL or NUL-terminated; `pOutInfo` NULL or [`HSM_OUT_MAX`] bytes.
#[no_mangle]
pub unsafe extern "system" fn iReadCard_HSM_Step1(
    iType: c_int,
    pCardInfo: *const c_char,
    pFileAddr: *const c_char,
    pOutInfo: *mut c_char,
) -> c_long {
    entry("iReadCard_HSM_Step1", pOutInfo, HSM_OUT_MAX - 1, |c| {
        // SAFETY: per contract.
        let (info, addr) = unsafe {
            (
                c.arg(pCardInfo, "pCardInfo")?,
                c.arg(pFileAddr, "pFileAddr")?,
            )
        };
        let r = hsm::read_card_step1(&mut c.device, iType, &info, &addr);
        step1(c, r)
    })
}

/// `long iReadCard_HSM_Step2(char* pKey, char* pOutInfo)`.
///
/// # Safety
/// `pKey` NULL or NUL-terminated; `pOutInfo` NULL or [`FILE_OUT_MAX`] bytes.
#[no_mangle]
pub unsafe extern "system" fn iReadCard_HSM_Step2(
    pKey: *const c_char,
    pOutInfo: *mut c_char,
) -> c_long {
    entry("iReadCard_HSM_Step2", pOutInfo, FILE_OUT_MAX - 1, |c| {
        // SAFETY: per contract.
        unsafe { next_step(c, "iReadCard", pKey) }
    })
}

/// `long iWriteCard_HSM_Step1(int iType, char* pCardInfo, char* pFileAddr, char* pWriteData, char* pOutInfo)`.
///
/// # Safety
/// Inputs NULL or NUL-terminated; `pOutInfo` NULL or [`HSM_OUT_MAX`] bytes.
#[no_mangle]
pub unsafe extern "system" fn iWriteCard_HSM_Step1(
    iType: c_int,
    pCardInfo: *const c_char,
    pFileAddr: *const c_char,
    pWriteData: *const c_char,
    pOutInfo: *mut c_char,
) -> c_long {
    entry("iWriteCard_HSM_Step1", pOutInfo, HSM_OUT_MAX - 1, |c| {
        // SAFETY: per contract.
        let (info, addr, data) = unsafe {
            (
                c.arg(pCardInfo, "pCardInfo")?,
                c.arg(pFileAddr, "pFileAddr")?,
                c.arg(pWriteData, "pWriteData")?,
            )
        };
        let r = hsm::write_card_step1(&mut c.device, iType, &info, &addr, &data);
        step1(c, r)
    })
}

/// `long iWriteCard_HSM_Step2(char* pKey, char* pOutInfo)`.
///
/// # Safety
/// `pKey` NULL or NUL-terminated; `pOutInfo` NULL or [`FILE_OUT_MAX`] bytes.
#[no_mangle]
pub unsafe extern "system" fn iWriteCard_HSM_Step2(
    pKey: *const c_char,
    pOutInfo: *mut c_char,
) -> c_long {
    entry("iWriteCard_HSM_Step2", pOutInfo, FILE_OUT_MAX - 1, |c| {
        // SAFETY: per contract.
        unsafe { next_step(c, "iWriteCard", pKey) }
    })
}

macro_rules! pin_hsm {
    ($step1:ident, $step2:ident, $step3:ident, $name:literal, $f:path) => {
        /// HSM Step1: `long f(int iType, char* pCardInfo, char* pOutInfo)`.
        ///
        /// # Safety
        /// `pCardInfo` NULL or NUL-terminated; `pOutInfo` NULL or [`HSM_OUT_MAX`] bytes.
        #[no_mangle]
        pub unsafe extern "system" fn $step1(
            iType: c_int,
            pCardInfo: *const c_char,
            pOutInfo: *mut c_char,
        ) -> c_long {
            entry(stringify!($step1), pOutInfo, HSM_OUT_MAX - 1, |c| {
                // SAFETY: per contract.
                let info = unsafe { c.arg(pCardInfo, "pCardInfo")? };
                let r = $f(&mut c.device, iType, &info);
                step1(c, r)
            })
        }

        /// HSM Step2: `long f(char* pKey, char* pOutInfo)` — the MAC request for the HSM.
        ///
        /// # Safety
        /// `pKey` NULL or NUL-terminated; `pOutInfo` NULL or [`HSM_OUT_MAX`] bytes.
        #[no_mangle]
        pub unsafe extern "system" fn $step2(pKey: *const c_char, pOutInfo: *mut c_char) -> c_long {
            entry(stringify!($step2), pOutInfo, HSM_OUT_MAX - 1, |c| {
                // SAFETY: per contract.
                unsafe { next_step(c, $name, pKey) }
            })
        }

        /// HSM Step3: `long f(char* pKey, char* pOutInfo)` — the MAC'd command.
        ///
        /// # Safety
        /// `pKey` NULL or NUL-terminated; `pOutInfo` NULL or [`PIN_OUT_MAX`] bytes.
        #[no_mangle]
        pub unsafe extern "system" fn $step3(pKey: *const c_char, pOutInfo: *mut c_char) -> c_long {
            entry(stringify!($step3), pOutInfo, PIN_OUT_MAX - 1, |c| {
                // SAFETY: per contract.
                unsafe { next_step(c, $name, pKey) }
            })
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

/// `long Init(char* pInitInfo, char* pErrMsg)` (HeaSecReadInfo style, integrators.md §2.1):
/// pInitInfo is the platform's JSON (IP, PORT, …; accepted and not used: sscard reads the card
/// locally). Returns 0, or −14 with a message when pInitInfo is not a JSON object.
///
/// # Safety
/// `pInitInfo` NULL or NUL-terminated; `pErrMsg` NULL or [`PIN_OUT_MAX`] bytes.
#[no_mangle]
pub unsafe extern "system" fn Init(pInitInfo: *const c_char, pErrMsg: *mut c_char) -> c_long {
    entry("Init", pErrMsg, PIN_OUT_MAX - 1, |c| {
        // SAFETY: per contract.
        let info = unsafe { c.arg(pInitInfo, "pInitInfo")? };
        match serde_json::from_str::<serde_json::Value>(&info) {
            Ok(serde_json::Value::Object(_)) => Ok(String::new()),
            _ => Err(NationalError::BadParameter(
                "pInitInfo is not a JSON object".into(),
            )),
        }
    })
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

/// `long VerifyPIN(char* pOutBuff)` (iType 3).
///
/// # Safety
/// `pOutBuff` NULL or [`PIN_OUT_MAX`] bytes.
#[no_mangle]
pub unsafe extern "system" fn VerifyPIN(pOutBuff: *mut c_char) -> c_long {
    entry("VerifyPIN", pOutBuff, PIN_OUT_MAX - 1, |c| {
        national::verify_pin(&mut c.device, 3)
    })
}

/// `long ChangePIN(char* pOutBuff)` (iType 3).
///
/// # Safety
/// `pOutBuff` NULL or [`PIN_OUT_MAX`] bytes.
#[no_mangle]
pub unsafe extern "system" fn ChangePIN(pOutBuff: *mut c_char) -> c_long {
    entry("ChangePIN", pOutBuff, PIN_OUT_MAX - 1, |c| {
        national::change_pin(&mut c.device, 3)
    })
}
