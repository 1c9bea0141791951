//! [`BasicInfo`]: the service-window view of a card — SSSE EF05 (issuer data) and EF06
//! (cardholder basic information) decoded, with the security profile and the ATR's historical
//! bytes. What `Session::read_basic_info` returns and `national::read_card_bas` formats.

use serde::Serialize;

use crate::model::card::{Holder, IssuerData};

/// The service-window view of a card: SSSE EF05 and EF06, decoded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BasicInfo {
    /// Issuer data (EF05).
    pub issuer: IssuerData,
    /// Holder basic information (EF06).
    pub holder: Holder,
    /// Security profile in use (`sscard-2`, `sscard-3`).
    pub profile: &'static str,
    /// Algorithm id from the FCI (`None` when absent).
    pub algorithm_id: Option<u8>,
    /// The ATR's historical bytes (卡复位信息), hex.
    pub reset_info: String,
}
