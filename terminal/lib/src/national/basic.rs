//! `iReadCardBas` in PSAM mode: the procedure of sscard-spec.md §6.4.
//!
//! 1. open the card (the interface of `iType`) and the PSAM;
//! 2. SELECT SSSE — the FCI's algorithm id gives the suite (3DES / SM4); the PSAM's DF01 must be
//!    of the same environment (−2202 otherwise);
//! 3. READ RECORD EF05 (all records: card identification code, spec version, …);
//! 4. INTERNAL AUTHENTICATE (IRK, fresh random P ‖ S) every time: the PSAM computes what a genuine
//!    card answers (−21 otherwise); on a 3.00 card also RKSSSE EXTERNAL AUTHENTICATE (GET CHALLENGE,
//!    the PSAM's cryptogram; −2203 when the PSAM lacks RKSSSE);
//! 5. READ RECORD EF06 (name = 09 ‖ 4E);
//! 6. the PSAM's terminal number (EF16) and the device number;
//! 7. both readers are closed on every exit path (the transports are dropped).
//!
//! APDUs per call: card 4 (2.00) or 6 (3.00); PSAM: SELECT DF01, `BF DE` + `80 FA` per key
//! operation (1 for 2.00, 2 for 3.00), SELECT EF16 + READ BINARY, plus a GET RESPONSE per
//! `80 FA` on a T=0 PSAM.

use sscard_specs::{key, DfId, SpecVersion};

use super::device::{Device, DynTransport, Interface, SharedPsam};
use super::error::{NationalError, NationalResult};
use super::format::{self, TerminalIds};
use crate::error::Error;
use crate::model::BasicInfo;
use crate::security::psam::{self, TerminalNumber};
use crate::Session;

/// A national session: the card's session and, in PSAM mode, the PSAM (which is also the
/// session's security module).
pub(crate) struct Call {
    pub(crate) session: Session<DynTransport>,
    pub(crate) psam: Option<SharedPsam>,
}

impl Call {
    /// Open the card for `itype` and SELECT the SSSE.
    pub(crate) fn open(dev: &mut dyn Device, itype: i32) -> NationalResult<Self> {
        let card = open_card(dev, Interface::from_itype(itype)?)?;
        let session = Session::open(card)?;
        Ok(Call {
            session,
            psam: None,
        })
    }

    /// Open the card without sending anything (HSM Step2: the card's state from Step1 must stay).
    pub(crate) fn resume(dev: &mut dyn Device, interface: Interface) -> NationalResult<Self> {
        let card = open_card(dev, interface)?;
        Ok(Call {
            session: Session::new_unselected(card),
            psam: None,
        })
    }

    /// Open the PSAM for the card's suite and make it the session's security module.
    pub(crate) fn attach_psam(&mut self, dev: &mut dyn Device) -> NationalResult<()> {
        let t = dev.open_psam()?;
        let sm = psam::open(t, self.session.profile())?;
        let shared = SharedPsam::new(sm);
        self.session.set_security_module(shared.clone());
        self.psam = Some(shared);
        Ok(())
    }

    /// A terminal error, with the PSAM's own error when the security module failed.
    pub(crate) fn error(&self, e: Error) -> NationalError {
        if let Error::SecurityModule(_) = e {
            if let Some(p) = self.psam.as_ref().and_then(SharedPsam::take_error) {
                return NationalError::Psam(p);
            }
        }
        NationalError::Terminal(e)
    }

    /// Run `f` on the session, mapping its error.
    pub(crate) fn run<R>(
        &mut self,
        f: impl FnOnce(&mut Session<DynTransport>) -> crate::Result<R>,
    ) -> NationalResult<R> {
        f(&mut self.session).map_err(|e| self.error(e))
    }

    /// INTERNAL AUTHENTICATE through the PSAM: the card must be genuine (−21).
    pub(crate) fn authenticate_card(&mut self) -> NationalResult<()> {
        let verdict = self.run(|s| s.internal_authenticate())?;
        if !verdict.genuine {
            return Err(NationalError::NotGenuine);
        }
        Ok(())
    }

    /// The PSAM's terminal number (12 digits) and serial (its ATR's historical bytes, hex).
    pub(crate) fn psam_ids(&self) -> NationalResult<(String, String)> {
        let psam = self
            .psam
            .as_ref()
            .ok_or_else(|| NationalError::NoPsam("not opened".into()))?;
        psam.with(|sm| {
            let tn = TerminalNumber::from(sm.read_terminal_number()?).digits();
            let serial = crate::model::atr::historical_bytes(sm.transport().atr())
                .map(hex::encode_upper)
                .unwrap_or_default();
            Ok((tn, serial))
        })
    }
}

/// Connect to the card, trying the interfaces of `interface` in order; the first error is
/// reported when none has a card.
pub(crate) fn open_card(
    dev: &mut dyn Device,
    interface: Interface,
) -> NationalResult<DynTransport> {
    let mut first = None;
    for &i in interface.order() {
        match dev.open_card(i) {
            Ok(t) => return Ok(t),
            Err(e) => {
                tracing::debug!(interface = ?i, error = %e, "no card on this interface");
                first.get_or_insert(e);
            }
        }
    }
    Err(first.unwrap_or_else(|| NationalError::BadParameter("no interface".into())))
}

/// `iReadCardBas(iType, pOutInfo)` in PSAM mode: the 11-field basic information
/// ([`format::read_card_bas`]) of the card, after the §6.4 checks.
pub fn read_card_bas(dev: &mut dyn Device, itype: i32) -> NationalResult<String> {
    let (info, ids) = read_basic(dev, itype)?;
    Ok(format::read_card_bas(&info, &ids))
}

/// [`read_card_bas`] as data: the basic information and the terminal ids.
pub fn read_basic(dev: &mut dyn Device, itype: i32) -> NationalResult<(BasicInfo, TerminalIds)> {
    let mut call = Call::open(dev, itype)?;
    call.attach_psam(dev)?;
    let issuer = call.run(|s| s.read_issuer())?;
    call.authenticate_card()?;
    if call.session.version() == Some(SpecVersion::V3_00) {
        call.run(|s| s.ensure_key(DfId::Ssse, key::RKSSSE))?;
    }
    let holder = call.run(|s| s.read_holder())?;
    let info = call.session.basic_info(issuer, holder);
    let (terminal_no, serial) = call.psam_ids()?;
    let device_no = dev.device_no().unwrap_or(serial);
    Ok((
        info,
        TerminalIds {
            terminal_no,
            device_no,
        },
    ))
}
