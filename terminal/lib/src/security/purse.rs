//! The purse side of a terminal security module (`docs/purse.md` §2, §4): what a DF04 purchase
//! or load needs besides the card — the terminal number, the terminal transaction serial, the
//! purchase MAC1 and the check of the card's MAC2, and for a load the check of the card's MAC1
//! and the MAC2 the card wants (the back end's part).
//!
//! [`PurseModule`] is object-safe; it is implemented by
//! - [`SoftwarePurse`]: the issuer key set (DPK/DLK diversified in host memory), a configured
//!   terminal number and a [`SerialStore`] (tests, issuers, a back end's HSM stand-in);
//! - [`PsamSecurityModule`]: a PSAM (`80 70` INIT SAM FOR PURCHASE, `80 72` VERIFY MAC2; its
//!   EF16 terminal number and its own serial). A PSAM does not compute load MAC2s (the back end
//!   does), so a load needs the key set.

use sscard_apdu::commands::purse::{self as cmd, PsamInitPurchase, PurseAmounts};
use sscard_keys::purse::{
    Amount, Balance, CardRandom, DateTime, Load, LoadSession, MedicalAmounts, MedicalPurchase,
    OfflineCounter, OnlineCounter, PurchaseSession, TerminalId, TerminalSerial, TransactionType,
};
use sscard_keys::{DiversificationFactors, IssuerKeySet, Profile};
use sscard_specs::key::{DLK, DPK};

use super::psam::PsamSecurityModule;
use super::terminal_serial::SerialStore;
use crate::error::{Error, Result};
use crate::transport::Transport;

/// What the card's INITIALIZE FOR PURCHASE said, and the terminal's choices, for MAC1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PurchaseRequest {
    /// The card's pseudo-random number.
    pub random: CardRandom,
    /// The card's offline counter (before the purchase).
    pub counter: OfflineCounter,
    /// The three settlement amounts.
    pub amounts: MedicalAmounts,
    /// Terminal date and time (sent in DEBIT FOR PURCHASE).
    pub when: DateTime,
    /// The card's purchase key version.
    pub key_version: u8,
    /// The card's algorithm id.
    pub alg_id: u8,
}

/// MAC1 and the serial it was computed with (both go into DEBIT FOR PURCHASE).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mac1Grant {
    /// The terminal transaction serial (never given out twice).
    pub serial: TerminalSerial,
    /// MAC1.
    pub mac1: [u8; 4],
}

/// What the card's INITIALIZE FOR LOAD said, and the terminal's choices, for the load MAC2.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoadRequest {
    /// The card's pseudo-random number.
    pub random: CardRandom,
    /// The card's online counter (before the load).
    pub counter: OnlineCounter,
    /// The balance before the load.
    pub balance: Balance,
    /// The amount.
    pub amount: Amount,
    /// The terminal number sent in INITIALIZE FOR LOAD.
    pub terminal: TerminalId,
    /// Terminal date and time (sent in CREDIT FOR LOAD).
    pub when: DateTime,
}

/// The purse operations of a security module.
pub trait PurseModule {
    /// The security profile (suite) the module implements.
    fn profile(&self) -> &'static Profile;
    /// The terminal number (PSAM EF16, or the configured one).
    fn terminal(&mut self) -> Result<TerminalId>;
    /// The next terminal serial and MAC1 for a purchase (the serial is used up whatever happens
    /// next). `factors`: the card's diversification factors.
    fn purchase_mac1(
        &mut self,
        factors: &DiversificationFactors,
        req: &PurchaseRequest,
    ) -> Result<Mac1Grant>;
    /// Check the card's MAC2 of the purchase of the last [`Self::purchase_mac1`].
    fn verify_purchase_mac2(&mut self, mac2: &[u8; 4]) -> Result<bool>;
    /// Check the card's load MAC1 (`Ok(None)` when wrong: the card is not the one it claims)
    /// and compute the MAC2 that CREDIT FOR LOAD needs.
    fn load_mac2(
        &mut self,
        factors: &DiversificationFactors,
        req: &LoadRequest,
        card_mac1: &[u8; 4],
    ) -> Result<Option<[u8; 4]>>;
}

fn sm(e: impl std::fmt::Display) -> Error {
    Error::SecurityModule(e.to_string())
}

/// Issuer keys in host memory, a configured terminal number and a serial store.
pub struct SoftwarePurse {
    profile: &'static Profile,
    keys: IssuerKeySet,
    terminal: TerminalId,
    serials: SerialStore,
    /// The purchase of the last MAC1, for the MAC2 check.
    pending: Option<(PurchaseSession, MedicalPurchase)>,
}

impl std::fmt::Debug for SoftwarePurse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SoftwarePurse")
            .field("profile", &self.profile.name)
            .field("terminal", &hex::encode_upper(self.terminal.0))
            .finish_non_exhaustive()
    }
}

impl SoftwarePurse {
    /// A module over `keys` (must hold DPK, and DLK for loads) for terminal `terminal`.
    pub fn new(
        profile: &'static Profile,
        keys: IssuerKeySet,
        terminal: TerminalId,
        serials: SerialStore,
    ) -> Self {
        SoftwarePurse {
            profile,
            keys,
            terminal,
            serials,
            pending: None,
        }
    }

    fn card_key(&self, name: &str, factors: &DiversificationFactors) -> Result<sscard_keys::Key> {
        self.keys
            .card_key(name, factors)
            .map_err(|e| Error::SecurityModule(format!("{name}: {e}")))
    }
}

impl PurseModule for SoftwarePurse {
    fn profile(&self) -> &'static Profile {
        self.profile
    }

    fn terminal(&mut self) -> Result<TerminalId> {
        Ok(self.terminal)
    }

    fn purchase_mac1(
        &mut self,
        factors: &DiversificationFactors,
        req: &PurchaseRequest,
    ) -> Result<Mac1Grant> {
        self.pending = None;
        let dpk = self.card_key(DPK, factors)?;
        let serial = TerminalSerial(self.serials.take_next()?);
        let session = PurchaseSession::new(self.profile, &dpk, req.random, req.counter, serial)
            .map_err(sm)?;
        let tx = MedicalPurchase {
            amounts: req.amounts,
            tx_type: TransactionType::EP_PURCHASE,
            terminal: self.terminal,
            serial,
            when: req.when,
        };
        let mac1 = session.mac1(&tx).map_err(sm)?;
        self.pending = Some((session, tx));
        Ok(Mac1Grant { serial, mac1 })
    }

    fn verify_purchase_mac2(&mut self, mac2: &[u8; 4]) -> Result<bool> {
        let (session, tx) = self
            .pending
            .take()
            .ok_or_else(|| Error::SecurityModule("MAC2 check without a purchase".into()))?;
        Ok(session.verify_mac2(&tx, mac2))
    }

    fn load_mac2(
        &mut self,
        factors: &DiversificationFactors,
        req: &LoadRequest,
        card_mac1: &[u8; 4],
    ) -> Result<Option<[u8; 4]>> {
        let dlk = self.card_key(DLK, factors)?;
        let session = LoadSession::new(self.profile, &dlk, req.random, req.counter).map_err(sm)?;
        let load = Load {
            amount: req.amount,
            tx_type: TransactionType(cmd::TX_LOAD),
            terminal: req.terminal,
        };
        if !session.verify_mac1(req.balance, &load, card_mac1) {
            return Ok(None);
        }
        Ok(Some(session.mac2(&load, &req.when).map_err(sm)?))
    }
}

impl<T: Transport> PurseModule for PsamSecurityModule<T> {
    fn profile(&self) -> &'static Profile {
        sscard_keys::SecurityModule::profile(self)
    }

    fn terminal(&mut self) -> Result<TerminalId> {
        self.read_terminal_number()
            .map(TerminalId)
            .map_err(|e| Error::SecurityModule(format!("PSAM terminal number: {e}")))
    }

    fn purchase_mac1(
        &mut self,
        factors: &DiversificationFactors,
        req: &PurchaseRequest,
    ) -> Result<Mac1Grant> {
        let (_, slot) = sscard_specs::psam::key_slot_by_name(DPK)
            .ok_or_else(|| Error::Internal("DPK has no PSAM slot in the specs".into()))?;
        let f = factors.innermost(slot.levels()).ok_or_else(|| {
            Error::SecurityModule(format!(
                "DPK needs {} diversification levels, the card gives {}",
                slot.levels(),
                factors.levels()
            ))
        })?;
        let flat: Vec<u8> = f.iter().flatten().copied().collect();
        let c = PsamInitPurchase {
            random: req.random.0,
            counter: req.counter.0,
            amounts: PurseAmounts {
                personal_account: req.amounts.personal_account.0,
                total: req.amounts.total.0,
                account_and_fund: req.amounts.account_and_fund.0,
            },
            tx_type: cmd::TX_PURCHASE,
            date: req.when.date,
            time: req.when.time,
            key_version: req.key_version,
            alg_id: req.alg_id,
            factors: &flat,
        };
        let r = self
            .init_for_purchase(&c)
            .map_err(|e| Error::SecurityModule(format!("PSAM MAC1: {e}")))?;
        Ok(Mac1Grant {
            serial: TerminalSerial(r.serial),
            mac1: r.mac1,
        })
    }

    fn verify_purchase_mac2(&mut self, mac2: &[u8; 4]) -> Result<bool> {
        self.verify_mac2(mac2)
            .map_err(|e| Error::SecurityModule(format!("PSAM VERIFY MAC2: {e}")))
    }

    fn load_mac2(
        &mut self,
        _factors: &DiversificationFactors,
        _req: &LoadRequest,
        _card_mac1: &[u8; 4],
    ) -> Result<Option<[u8; 4]>> {
        Err(Error::SecurityModule(
            "a PSAM does not compute load MAC2s (the back end holds DLK): load with the issuer \
             keys (--keys FILE)"
                .into(),
        ))
    }
}
