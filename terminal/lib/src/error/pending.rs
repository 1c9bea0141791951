//! The purse transaction an [`super::Error::InDoubt`] is about: sent to the card, its answer
//! lost (`crate::session::Session::resolve` finds out what happened).

use serde::Serialize;

use crate::model::money::Fen;

/// Which purse transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TxKind {
    /// A purchase (settlement, DEBIT FOR PURCHASE).
    Purchase,
    /// A load (CREDIT FOR LOAD).
    Load,
}

impl std::fmt::Display for TxKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TxKind::Purchase => "purchase",
            TxKind::Load => "load",
        })
    }
}

/// A transaction sent to the card whose answer was lost.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PendingTransaction {
    /// Purchase or load.
    pub kind: TxKind,
    /// The counter INITIALIZE returned (offline for a purchase, online for a load).
    pub counter: u16,
    /// The balance INITIALIZE returned.
    pub balance_before: Fen,
    /// What the balance changes by.
    pub amount: Fen,
    /// Self-pay and pooled-fund amounts (purchase).
    pub self_pay: Fen,
    /// Pooled-fund amount (purchase).
    pub pooled_fund: Fen,
    /// Settlement class (purchase).
    pub class: Option<String>,
    /// Terminal number.
    pub terminal: String,
    /// Terminal serial (purchase).
    pub serial: Option<u32>,
    /// `YYYYMMDDhhmmss`.
    pub date_time: String,
    /// What went wrong on the link.
    pub cause: String,
}
